// The local launcher: the compose topology as local processes (system etcd, N API servers).
//   node dist/compose/launcher.js start [--detach] [--port 6443] [--etcd-port 2379] [--apiservers 1] [--cluster-dir .cluster]
//   node dist/compose/launcher.js stop [--cluster-dir .cluster]
// It writes <cluster-dir>/kubeconfig and <cluster-dir>/state.json naming every process it started.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubeconfig } from './local/kubeconfig.js';
import { type LauncherOptions, parseArgs } from './local/options.js';
import { httpReady, portFree, type Running, startProcess, stopComponents, waitReady } from './local/processes.js';
import { alive, type Component, readState, removeState, writeState } from './local/state.js';
import { type ComponentSpec, topology } from './local/topology.js';

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
  await stopComponents(state.components);
  removeState(stateFile);
  console.log(`stopped ${state.components.map((c) => `${c.name} (pid ${c.pid})`).join(', ')}`);
  return 0;
}

export async function start(opts: LauncherOptions): Promise<number> {
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
  for (const s of specs) {
    for (const p of s.ports) {
      if (!(await portFree(p, opts.bindAddress))) {
        console.error(`port ${p} on ${opts.bindAddress} (for ${s.name}) is already in use; choose others with --port / --etcd-port / --etcd-peer-port`);
        return 1;
      }
    }
  }

  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const started: Running<ComponentSpec>[] = [];
  const components = (): Component[] => started.map((r) => ({ name: r.spec.name, role: r.spec.role, pid: r.child.pid ?? 0, url: r.spec.url }));
  let stopping = false;
  // Set once detached: from then on the processes live on without us.
  let ready = false;
  let finished: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => { finished = resolve; });
  const shutdown = (code: number): void => {
    if (stopping) return;
    stopping = true;
    void stopComponents(components()).then(() => {
      removeState(stateFile);
      finished(code);
    });
  };
  // Ctrl-C while starting stops what has started so far; once detached, signals are no longer ours to handle.
  const onSignal = (): void => shutdown(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    // In order: the stores before the servers that need them; each step waits for the one before.
    // The etcd members start together: none is healthy before a quorum of them runs.
    for (const step of startSteps(specs)) {
      if (stopping) break;
      const group = step.map((spec) => {
        // Detached: output only to the log file; attached: also on the terminal, prefixed with the name.
        const r = startProcess(spec, { logFile: path.join(dir, 'logs', `${spec.name}.log`), detach: opts.detach, echo: !opts.detach });
        started.push(r);
        r.child.on('exit', (code, signal) => {
          if (stopping || ready) return;
          // Exit 0 or a signal to stop: someone stopped it (e.g. `npm stop` from another terminal); anything else is a crash.
          const clean = code === 0 || signal === 'SIGTERM' || signal === 'SIGINT';
          console.error(`${spec.name} exited (${code ?? signal}); stopping the control plane`);
          shutdown(clean ? 0 : 1);
        });
        return r;
      });
      // Written before waiting, so `npm stop` finds the processes even if start-up is interrupted.
      writeState(stateFile, { components: components() });
      await Promise.all(group.map((r) => waitReady(r, httpReady(r.spec.readyUrl), { timeoutMs: 60000, intervalMs: 150 })));
    }
  } catch (e) {
    console.error(`start failed: ${(e as Error).message}`);
    shutdown(1);
    return done;
  }
  if (stopping) return done;

  const kc = path.join(dir, 'kubeconfig');
  writeFileSync(kc, kubeconfig(specs.find((s) => s.role === 'apiserver')!.url));
  console.log(`control plane ready: ${specs.map((s) => `${s.name} ${s.url}`).join(', ')}`);
  console.log(`  export KUBECONFIG=${kc}`);
  console.log('  kubectl get namespaces');
  if (opts.detach) {
    ready = true;
    console.log(`logs in ${path.join(dir, 'logs')}; stop with \`npm stop\``);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return 0;
  }

  console.log('press Ctrl-C to stop');
  return done;
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
  process.exit(opts.command === 'stop' ? await stop(opts) : await start(opts));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) void main();
