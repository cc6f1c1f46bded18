// The local launcher: the compose topology as local processes (an etcd cluster, Redis, N API
// servers and the load balancer), supervised as a compose restart policy would: a component that
// dies is restarted with backoff, and the restart is logged.
//   node dist/compose/launcher.js start [--detach] [--port 6443] [--apiservers 3] [--etcd-members 3] [--no-redis] [--cluster-dir .cluster]
//                                       [--controllers [--kwok-nodes 2]]   (the real controller manager, scheduler and kwok)
//   node dist/compose/launcher.js stop [--cluster-dir .cluster]
// It writes <cluster-dir>/kubeconfig (pointing at the load balancer) and <cluster-dir>/state.json
// naming every process it started. --detach leaves a supervisor running in the background.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubeconfig } from './local/kubeconfig.js';
import { type LauncherOptions, parseArgs } from './local/options.js';
import { portFree, readyCheck, type Running, startProcess, stopComponents, stopPid, waitReady } from './local/processes.js';
import { alive, type Component, readState, removeState, writeState } from './local/state.js';
import { ensureControllerBinaries, kwokNodeNames, registerKwokNodes } from './local/controllers.js';
import { type ComponentSpec, controllersKubeconfig, etcdMembers, topology } from './local/topology.js';
import { adaptEtcdData } from './local/etcd-data.js';
import { prepareSecurity, type SecurityFiles, writeKubeconfigs } from './local/security.js';

export { parseArgs, type LauncherOptions } from './local/options.js';
export { topology, apiserverFlags } from './local/topology.js';
export type { Component, State } from './local/state.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function stop(opts: LauncherOptions): Promise<number> {
  const stateFile = path.join(opts.clusterDir, 'state.json');
  const state = readState(stateFile);
  if (!state) {
    console.log(`no control plane to stop (no ${path.relative(process.cwd(), stateFile) || stateFile})`);
    return 0;
  }
  // The supervisor first, or it would restart what is being stopped; it stops its components itself.
  if (state.supervisor) await stopPid(state.supervisor, 30000);
  await stopComponents(state.components);
  removeState(stateFile);
  console.log(`stopped ${state.components.map((c) => `${c.name} (pid ${c.pid})`).join(', ')}`);
  return 0;
}

export async function start(opts: LauncherOptions): Promise<number> {
  if (opts.detach) return startDetached(opts);
  const dir = opts.clusterDir;
  const stateFile = path.join(dir, 'state.json');
  const existing = readState(stateFile);
  const running = existing?.components.filter((c) => alive(c.pid)) ?? [];
  if (running.length > 0) {
    console.error(`a control plane is already running (${running.map((c) => `${c.name} pid ${c.pid} ${c.url}`).join(', ')}), per ${stateFile}`);
    console.error(`stop it first with \`npm stop${opts.clusterDir === path.join(root, '.cluster') ? '' : ` -- --cluster-dir ${dir}`}\``);
    return 1;
  }
  const specs = topology(opts, root);
  const server = path.join(root, 'dist/server/main.js');
  if (specs.some((s) => s.role === 'apiserver') && !existsSync(server)) {
    console.error(`${server} is missing; build first (npm run build)`);
    return 1;
  }
  // Every taken port is named, not only the first: the user picks new ranges once.
  let taken = 0;
  for (const s of specs) {
    for (const p of s.ports) {
      if (!(await portFree(p, opts.bindAddress))) {
        console.error(`port ${p} on ${opts.bindAddress} (for ${s.name}) is already in use`);
        taken++;
      }
    }
  }
  if (taken > 0) {
    console.error('choose others with --port / --etcd-port / --etcd-peer-port');
    return 1;
  }

  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const entry = specs.find((s) => s.role === 'lb') ?? specs.find((s) => s.role === 'apiserver')!;
  let security: SecurityFiles | undefined;
  try {
    security = opts.tls ? prepareSecurity(opts) : undefined;
  } catch (e) {
    console.error(`making the PKI in ${path.join(dir, 'pki')} failed: ${(e as Error).message}`);
    return 1;
  }
  try {
    const adapted = adaptEtcdData(opts, etcdMembers(opts));
    if (adapted) console.error(`[launcher] ${adapted}`);
  } catch (e) {
    console.error(`adapting etcd's data in ${dir} to its peer URLs failed: ${(e as Error).message}`);
    return 1;
  }
  if (security) writeKubeconfigs(security, entry.url, opts.controllers);
  else if (opts.controllers) writeFileSync(controllersKubeconfig(opts), kubeconfig(entry.url));
  const started: Running<ComponentSpec>[] = [];
  const components = (): Component[] => started.map((r) => ({ name: r.spec.name, role: r.spec.role, pid: r.child.pid ?? 0, url: r.spec.url }));
  // Once ready, a component that dies is restarted; before that, a death stops the control plane.
  let ready = false;
  let stopping = false;
  const save = () => writeState(stateFile, { components: components(), supervisor: process.pid, ready });
  let finished: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => { finished = resolve; });
  const timers = new Set<NodeJS.Timeout>();
  const shutdown = (code: number): void => {
    if (stopping) return;
    stopping = true;
    for (const t of timers) clearTimeout(t);
    void stopComponents(components()).then(() => {
      removeState(stateFile);
      finished(code);
    });
  };
  const onSignal = (): void => shutdown(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const backoff = new Map<string, { attempt: number; startedAt: number }>();
  const launchOne = (spec: ComponentSpec): Running<ComponentSpec> => {
    // Supervised in the background: output only to the log file; in the foreground also on the terminal.
    const r = startProcess(spec, { logFile: path.join(dir, 'logs', `${spec.name}.log`), echo: !opts.supervise });
    const at = started.findIndex((x) => x.spec.name === spec.name);
    if (at >= 0) started[at] = r;
    else started.push(r);
    r.child.on('exit', (code, signal) => {
      if (stopping || started[started.findIndex((x) => x.spec.name === spec.name)] !== r) return;
      if (!ready) {
        // Exit 0 or a signal to stop: someone stopped it; anything else is a crash.
        const clean = code === 0 || signal === 'SIGTERM' || signal === 'SIGINT';
        console.error(`${spec.name} exited (${code ?? signal}) while starting; stopping the control plane`);
        shutdown(clean ? 0 : 1);
        return;
      }
      // As a compose restart policy: again, after 1 s doubling to 30 s; reset after a minute up.
      const b = backoff.get(spec.name) ?? { attempt: 0, startedAt: 0 };
      if (Date.now() - b.startedAt > 60000) b.attempt = 0;
      const delay = Math.min(30000, 1000 * 2 ** b.attempt);
      b.attempt++;
      backoff.set(spec.name, b);
      console.error(`[launcher] ${spec.name} exited (${code ?? signal}); restarting in ${delay / 1000}s (restart ${b.attempt})`);
      const t = setTimeout(() => {
        timers.delete(t);
        if (stopping) return;
        b.startedAt = Date.now();
        const again = launchOne(spec);
        save();
        console.error(`[launcher] ${spec.name} restarted (pid ${again.child.pid})`);
      }, delay);
      timers.add(t);
    });
    return r;
  };

  try {
    // In order: the stores before the servers that need them; each step waits for the one before.
    // The etcd members start together: none is healthy before a quorum of them runs.
    for (const step of startSteps(specs)) {
      if (stopping) break;
      const group = step.map(launchOne);
      // Written before waiting, so `npm stop` finds the processes even if start-up is interrupted.
      save();
      await Promise.all(group.map((r) => waitReady(r, readyCheck(r.spec.readyUrl, r.spec.probe), { timeoutMs: 60000, intervalMs: 150 })));
    }
  } catch (e) {
    console.error(`start failed: ${(e as Error).message}`);
    shutdown(1);
    return done;
  }
  if (stopping) return done;
  if (opts.controllers) {
    try {
      await registerKwokNodes(entry.url, opts.kwokNodes, security?.adminKubeconfig);
    } catch (e) {
      console.error(`start failed: ${(e as Error).message}`);
      shutdown(1);
      return done;
    }
  }
  if (!security) writeFileSync(path.join(dir, 'kubeconfig'), kubeconfig(entry.url));
  ready = true;
  save();
  printReady(specs, dir, opts);
  console.log(opts.supervise ? `supervising (pid ${process.pid}); stop with \`npm stop\`` : 'press Ctrl-C to stop');
  return done;
}

function printReady(specs: ComponentSpec[], dir: string, opts: LauncherOptions): void {
  console.log(`control plane ready: ${specs.map((s) => `${s.name} ${s.url}`).join(', ')}`);
  if (opts.controllers) console.log(`kwok nodes registered: ${kwokNodeNames(opts.kwokNodes).join(', ')}`);
  console.log(`  export KUBECONFIG=${path.join(dir, 'kubeconfig')}`);
  console.log('  kubectl get namespaces');
}

/**
 * --detach: the same start, by a supervisor process of its own in the background (its output in
 * logs/launcher.log); returns once everything is ready, or with the supervisor's complaint.
 */
async function startDetached(opts: LauncherOptions): Promise<number> {
  const dir = opts.clusterDir;
  const stateFile = path.join(dir, 'state.json');
  const existing = readState(stateFile);
  const running = existing?.components.filter((c) => alive(c.pid)) ?? [];
  if (running.length > 0 || (existing?.supervisor && alive(existing.supervisor))) {
    console.error(`a control plane is already running (${running.map((c) => `${c.name} pid ${c.pid} ${c.url}`).join(', ')}), per ${stateFile}`);
    console.error(`stop it first with \`npm stop${opts.clusterDir === path.join(root, '.cluster') ? '' : ` -- --cluster-dir ${dir}`}\``);
    return 1;
  }
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const logFile = path.join(dir, 'logs', 'launcher.log');
  const out = openSync(logFile, 'a');
  const args = process.argv.slice(2).filter((a) => a !== '--detach' && a !== '-d');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args, '--supervise'], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  let exited: number | null = null;
  child.on('exit', (code) => { exited = code ?? 1; });
  const logTail = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n') : '');
  const deadline = Date.now() + 180000;
  for (;;) {
    const state = readState(stateFile);
    if (state?.ready && state.supervisor === child.pid) break;
    if (exited !== null) {
      const tail = logTail();
      // The supervisor's own refusal (a port in use...) is the message; its log has the rest.
      console.error(tail.split('\n').filter((l) => !/^\[/.test(l)).slice(-5).join('\n') || `the launcher exited (${exited}); see ${logFile}`);
      return 1;
    }
    if (Date.now() > deadline) {
      console.error(`the control plane was not ready after 180s; see ${logFile}`);
      await stopPid(child.pid!, 30000);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  printReady(topology(opts, root), dir, opts);
  console.log(`logs in ${path.join(dir, 'logs')}; the launcher supervises in the background (pid ${child.pid}); stop with \`npm stop\``);
  return 0;
}

/** The specs in start order, grouped: every etcd member in one step, then each other component alone. */
export function startSteps(specs: ComponentSpec[]): ComponentSpec[][] {
  const etcd = specs.filter((s) => s.role === 'etcd');
  return [...(etcd.length ? [etcd] : []), ...specs.filter((s) => s.role !== 'etcd').map((s) => [s])];
}

async function main(): Promise<void> {
  let opts: LauncherOptions;
  try {
    opts = parseArgs(process.argv.slice(2), root);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  if (opts.command === 'start' && opts.controllers && !opts.supervise) {
    try {
      await ensureControllerBinaries(root);
    } catch (e) {
      console.error((e as Error).message);
      process.exit(1);
    }
  }
  process.exit(opts.command === 'stop' ? await stop(opts) : await start(opts));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) void main();
