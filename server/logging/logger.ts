// The server's one logger, as kube's klog/logr: --logging-format=text (default) or json, and -v
// verbosity. JSON is one object per line in kube's shape (component-base/logs/json: "ts" in epoch
// milliseconds, "v" for info lines, "msg", then the key/values; errors carry "err" and no "v").
// Text keeps the server's plain lines, with the key/values after the message as key="value".

export type LoggingFormat = 'text' | 'json';

/** --logging-format's value, refused with kube's message when it is neither format. */
export function parseLoggingFormat(value: string): LoggingFormat {
  if (value !== 'text' && value !== 'json') throw new Error(`--logging-format: Unsupported value: "${value}": supported values: "json", "text"`);
  return value;
}

export type KeyValues = Record<string, unknown>;

/** Where lines go: info to stdout, errors to stderr (as kube's split streams). */
export interface LogSinks {
  info(line: string): void;
  error(line: string): void;
}

const processSinks: LogSinks = {
  info: (line) => process.stdout.write(line + '\n'),
  error: (line) => process.stderr.write(line + '\n'),
};

export class Logger {
  format: LoggingFormat = 'text';
  verbosity = 0;

  constructor(private sinks: LogSinks = processSinks) {}

  configure(settings: { format?: LoggingFormat; verbosity?: number; sinks?: LogSinks }): void {
    if (settings.format) this.format = settings.format;
    if (settings.verbosity !== undefined) this.verbosity = settings.verbosity;
    if (settings.sinks) this.sinks = settings.sinks;
  }

  /** klog.V(v).Enabled(): a line at this verbosity would be written. */
  enabled(v: number): boolean {
    return v <= this.verbosity;
  }

  /** An info line at verbosity 0. */
  info(msg: string, kv?: KeyValues): void {
    this.infoV(0, msg, kv);
  }

  /** klog.V(v).InfoS: written when -v is v or higher. */
  infoV(v: number, msg: string, kv?: KeyValues): void {
    if (!this.enabled(v)) return;
    this.sinks.info(this.format === 'json' ? json({ ts: nowMillis(), v, msg, ...kv }) : text(msg, kv));
  }

  /** klog.ErrorS: always written; `msg` may be the error itself. */
  error(msg: unknown, kv?: KeyValues, err?: unknown): void {
    const message = msg instanceof Error ? msg.stack ?? msg.message : String(msg);
    if (this.format === 'json') this.sinks.error(json({ ts: nowMillis(), msg: message, ...(err !== undefined ? { err: errorText(err) } : {}), ...kv }));
    else this.sinks.error(text(err !== undefined ? `${message}: ${errorText(err)}` : message, kv));
  }
}

/** The process's logger (one per process, as klog's). */
export const logger = new Logger();

function nowMillis(): number {
  return performance.timeOrigin + performance.now();
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function json(fields: Record<string, unknown>): string {
  return JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? v.message : typeof v === 'bigint' ? v.toString() : v));
}

function text(msg: string, kv?: KeyValues): string {
  if (!kv) return msg;
  let line = msg;
  for (const [k, v] of Object.entries(kv)) if (v !== undefined) line += ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v)}`;
  return line;
}
