// The log backend (--audit-log-path): one JSON line per event, appended synchronously so an event
// is on disk before the response it describes is sent (a SIGKILL after the answer loses nothing).
// Rotation is lumberjack's, as kube uses it: past --audit-log-maxsize MB (100 when 0) the file is
// renamed <name>-<UTC 2006-01-02T15-04-05.000><ext> and a new one opened; old backups go past
// --audit-log-maxbackup (0 keeps all) and --audit-log-maxage days (0 keeps all).
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AuditEvent } from '../event.js';
import { stringifyJSON } from '../../api/json.js';
import { trimRight } from '../../api/trim.js';

export interface LogBackendOptions {
  path: string;
  maxSizeMB: number;
  maxBackups: number;
  maxAgeDays: number;
  format: 'json' | 'legacy';
}

const megabyte = 1024 * 1024;

export class LogBackend {
  private fd = -1;
  private size = 0;
  private readonly maxBytes: number;

  constructor(private readonly options: LogBackendOptions) {
    this.maxBytes = (options.maxSizeMB || 100) * megabyte;
  }

  /** Opens the file now, so a path that cannot be written stops the server at start-up, as kube's ensureLogFile does. */
  open(): void {
    if (this.options.path === '-') return;
    mkdirSync(path.dirname(this.options.path), { recursive: true });
    this.openExisting();
  }

  process(events: AuditEvent[]): void {
    let text = '';
    for (const e of events) text += `${this.options.format === 'legacy' ? legacyLine(e) : stringifyJSON(e)}\n`;
    if (this.options.path === '-') {
      writeSync(1, text);
      return;
    }
    const bytes = Buffer.byteLength(text);
    if (this.fd < 0) this.openExisting();
    if (this.size + bytes > this.maxBytes && this.size > 0) this.rotate();
    writeSync(this.fd, text);
    this.size += bytes;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private openExisting(): void {
    this.fd = openSync(this.options.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    renameSync(this.options.path, backupName(this.options.path, new Date()));
    this.openExisting();
    this.removeOldBackups();
  }

  private removeOldBackups(): void {
    const { maxBackups, maxAgeDays } = this.options;
    if (!maxBackups && !maxAgeDays) return;
    const dir = path.dirname(this.options.path);
    const backups = listBackups(this.options.path).sort((a, b) => b.time - a.time);
    const cutoff = Date.now() - maxAgeDays * 24 * 3600 * 1000;
    backups.forEach((b, i) => {
      if ((maxBackups && i >= maxBackups) || (maxAgeDays && b.time < cutoff)) unlinkSync(path.join(dir, b.file));
    });
  }
}

/** lumberjack's backupName: the base name, a dash, the rotation time in UTC, the extension. */
export function backupName(file: string, at: Date): string {
  const ext = path.extname(file);
  const prefix = file.slice(0, file.length - ext.length);
  const stamp = at.toISOString().replace(/:/g, '-').replace(/Z$/, '');
  return `${prefix}-${stamp}${ext}`;
}

/** The rotated files of `file`, with the time their names carry. */
export function listBackups(file: string): { file: string; time: number }[] {
  const dir = path.dirname(file);
  const ext = path.extname(file);
  const base = path.basename(file, ext);
  const out: { file: string; time: number }[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(`${base}-`) || !f.endsWith(ext)) continue;
    const stamp = f.slice(base.length + 1, f.length - ext.length);
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/.exec(stamp);
    if (!m) continue;
    const time = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
    if (Number.isFinite(time) && statSync(path.join(dir, f)).isFile()) out.push({ file: f, time });
  }
  return out;
}

/** kube's legacy format (audit.EventString): one line of key="value" pairs, Go-quoted. */
/** RFC3339Nano drops trailing zeros of the fraction, and the dot with them. */
function rfc3339Nano(at: string): string {
  const dot = at.lastIndexOf('.');
  if (dot < 0 || !at.endsWith('Z')) return at;
  const fraction = trimRight(at.slice(dot + 1, -1), '0');
  return `${at.slice(0, dot)}${fraction ? `.${fraction}` : ''}Z`;
}

function legacyLine(e: AuditEvent): string {
  const q = (v: string) => JSON.stringify(v);
  const list = (xs: string[]) => xs.map(q).join(',');
  const named = Boolean(e.user.username);
  const imp = e.impersonatedUser;
  const at = rfc3339Nano(e.requestReceivedTimestamp);
  return `${at} AUDIT: id=${q(e.auditID)} stage=${q(e.stage)} ip=${q(e.sourceIPs?.[0] ?? '<unknown>')} method=${q(e.verb)}` +
    ` user=${q(named ? e.user.username! : '<none>')} groups=${q(named && e.user.groups?.length ? list(e.user.groups) : '<none>')}` +
    ` as=${q(imp ? imp.username ?? '' : '<self>')} asgroups=${q(imp?.groups ? list(imp.groups) : '<lookup>')}` +
    ` user-agent=${q(e.userAgent ?? '')} namespace=${q(e.objectRef?.namespace || '<none>')} uri=${q(e.requestURI)}` +
    ` response="${e.responseStatus ? e.responseStatus.code ?? 0 : '<deferred>'}"`;
}
