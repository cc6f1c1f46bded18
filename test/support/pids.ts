// Whether a process the tests started (or a launcher started for them) is still there.
import { readFileSync } from 'node:fs';

/** Gone: no such process, or exited and waiting to be reaped. */
export function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
