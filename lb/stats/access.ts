// Who may read /lb/stats and /lb/metrics on the client listener: a verified client certificate in system:masters. The
// LB decides alone (no SubjectAccessReview to an instance), so the figures are there when no instance
// is; other readers use --stats-listen (loopback or a unix socket).
import type http from 'node:http';
import { identify } from '../identity/front-proxy.js';
import { type LbStatus, statuses } from '../http/status.js';

const readers = 'system:masters';

/** undefined when `req` may read the stats, else the Status to answer. */
export function statsRefusal(req: http.IncomingMessage, path = '/lb/stats'): LbStatus | undefined {
  const who = identify(req);
  if (!who) return statuses.unauthorized();
  if (!who.groups.includes(readers)) return statuses.forbidden(`User "${who.user}" cannot get path "${path}"`);
  return undefined;
}
