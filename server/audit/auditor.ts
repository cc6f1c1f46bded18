// The auditor the audit filter records through. Filled by the audit work (policy, stages, backends).
export interface Auditor {
  start(): Promise<void>;
  stop(): Promise<void>;
}
