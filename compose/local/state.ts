// <cluster-dir>/state.json: every process the launcher started, so `stop` (and the next `start`) can find them.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export type Role = 'etcd' | 'apiserver' | 'redis' | 'lb' | 'controller';

export interface Component { name: string; role: Role; pid: number; url: string }
export interface State {
  components: Component[];
  /** The launcher process that supervises them (restarts what dies); `stop` ends it first. */
  supervisor?: number;
  /** Set once every component answered ready. */
  ready?: boolean;
}

export function readState(file: string): State | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as State;
    return Array.isArray(state?.components) ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(file: string, state: State): void {
  const components = state.components.map(({ name, role, pid, url }) => ({ name, role, pid, url }));
  writeFileSync(file, JSON.stringify({ components, supervisor: state.supervisor, ready: state.ready }, null, 2) + '\n');
}

export function removeState(file: string): void {
  rmSync(file, { force: true });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: the pid exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(pid);
}

/** An exited process nobody has reaped yet (possible when PID 1 in a container does not reap). */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
