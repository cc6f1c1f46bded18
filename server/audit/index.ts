// Builds the auditor from --audit-policy-file and the backends' flags. Auditing needs both a policy
// and at least one backend, as in kube; a policy that does not load stops the server at start-up.
import { readFileSync } from 'node:fs';
import type { ServerConfig } from '../config.js';
import type { Auditor } from './auditor.js';
import { LogBackend } from './backends/log.js';
import { WebhookBackend } from './backends/webhook.js';
import type { AuditEvent } from './event.js';
import { evaluatePolicy, loadPolicy, type Policy } from './policy.js';

const disabled: Auditor = {
  enabled: false,
  evaluate: () => ({ level: 'None', omitStages: [], omitManagedFields: false }),
  process: () => undefined,
  start: async () => undefined,
  stop: async () => undefined,
};

export function buildAuditor(config: ServerConfig): Auditor {
  const sec = config.security;
  if (!sec.auditPolicyFile || (!sec.auditLogPath && !sec.auditWebhookConfigFile)) return disabled;
  let text: string;
  try {
    text = readFileSync(sec.auditPolicyFile, 'utf8');
  } catch (e) {
    throw new Error(`--audit-policy-file: ${(e as Error).message}`);
  }
  const policy: Policy = loadPolicy(text, sec.auditPolicyFile);

  const log = sec.auditLogPath ? new LogBackend({
    path: sec.auditLogPath, maxSizeMB: sec.auditLogMaxSizeMB, maxBackups: sec.auditLogMaxBackups, maxAgeDays: sec.auditLogMaxAgeDays, format: sec.auditLogFormat,
  }) : undefined;
  log?.open();
  const webhook = sec.auditWebhookConfigFile ? new WebhookBackend({
    configFile: sec.auditWebhookConfigFile, mode: sec.auditWebhookMode, batchMaxSize: Math.max(1, sec.auditWebhookBatchMaxSize),
    batchMaxWaitSeconds: sec.auditWebhookBatchMaxWaitSeconds, initialBackoffSeconds: sec.auditWebhookInitialBackoffSeconds,
  }) : undefined;

  // --audit-log-mode=batch trades durability for latency: lines are written after the current tick.
  let logQueue: AuditEvent[] = [];
  const flushLog = () => {
    const events = logQueue;
    logQueue = [];
    if (events.length) log!.process(events);
  };

  return {
    enabled: true,
    evaluate: (attrs) => evaluatePolicy(policy, attrs),
    process(event) {
      if (log) {
        if (sec.auditLogMode === 'batch') {
          if (!logQueue.length) setImmediate(flushLog);
          logQueue.push(event);
        } else log.process([event]);
      }
      webhook?.process([event]);
    },
    start: async () => undefined,
    async stop() {
      if (log) {
        flushLog();
        log.close();
      }
      await webhook?.stop();
    },
  };
}
