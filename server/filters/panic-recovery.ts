// Panic recovery (kube's WithPanicRecovery): whatever a later stage throws becomes a Status, never a dropped connection.
import { ApiError } from '../api/errors.js';
import type { Filter } from './chain.js';
import { logger } from '../logging/logger.js';

export const panicRecovery: Filter = {
  name: 'panic-recovery',
  async filter(ex, next) {
    try {
      await next();
    } catch (e) {
      if (!(e instanceof ApiError)) logger.error(`${ex.method} ${ex.path}: ${(e as Error)?.stack ?? e}`);
      if (!ex.hasStarted) ex.sendError(e);
      else ex.end();
    }
  },
};
