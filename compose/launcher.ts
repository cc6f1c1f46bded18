// The local launcher: the compose topology as local processes (system etcd, N API servers).
//   node dist/compose/launcher.js start [--detach] [--port 6443] [--etcd-port 2379] [--apiservers 1] [--cluster-dir .cluster]
//   node dist/compose/launcher.js stop [--cluster-dir .cluster]
// It writes <cluster-dir>/kubeconfig and <cluster-dir>/state.json naming every process it started.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Component { name: string; role: 'apiserver' | 'lb' | 'etcd' | 'redis'; pid: number; url: string }
export interface State { components: Component[] }

export interface LauncherOptions {
  command: 'start' | 'stop';
  detach: boolean;
  port: number;
  etcdPort: number;
  apiservers: number;
  clusterDir: string;
  bindAddress: string;
}

export function parseArgs(argv: string[]): LauncherOptions {
  const opts: LauncherOptions = {
    command: 'start', detach: false, port: 6443, etcdPort: 2379, apiservers: 1,
    clusterDir: path.join(root, '.cluster'), bindAddress: '127.0.0.1',
  };
  const args = [...argv];
  if (args[0] === 'start' || args[0] === 'stop') opts.command = args.shift() as 'start' | 'stop';
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = () => inline ?? args[++i];
    switch (flag) {
      case '--detach': case '-d': opts.detach = true; break;
      case '--port': case '--secure-port': opts.port = Number(value()); break;
      case '--etcd-port': opts.etcdPort = Number(value()); break;
      case '--apiservers': opts.apiservers = Number(value()); break;
      case '--cluster-dir': opts.clusterDir = path.resolve(value()); break;
      case '--bind-address': opts.bindAddress = value(); break;
      default: throw new Error(`unknown option ${args[i]} (options: --detach --port --etcd-port --apiservers --cluster-dir --bind-address)`);
    }
  }
  for (const [k, v] of [['--port', opts.port], ['--etcd-port', opts.etcdPort], ['--apiservers', opts.apiservers]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${k} must be a positive whole number`);
  }
  return opts;
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitReady(url: string, what: string, child: ChildProcess, logFile: string, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}; see ${logFile}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} did not become ready in ${timeoutMs / 1000}s; see ${logFile}`);
}

function kubeconfig(server: string): string {
  return [
    'apiVersion: v1', 'kind: Config', 'preferences: {}',
    // Plain HTTP until TLS lands; client libraries (client-node) only accept it with this set.
    'clusters:', '- name: local', '  cluster:', `    server: ${server}`, '    insecure-skip-tls-verify: true',
    'contexts:', '- name: local', '  context:', '    cluster: local', '    user: admin', '    namespace: default',
    'current-context: local',
    'users:', '- name: admin', '  user: {}', '',
  ].join('\n');
}

function readState(file: string): State | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

async function stopPids(components: Component[]): Promise<void> {
  // API servers first, etcd last, so nothing writes to a store that is going away.
  const order = [...components].sort((a, b) => (a.role === 'etcd' ? 1 : 0) - (b.role === 'etcd' ? 1 : 0));
  for (const c of order) {
    if (!alive(c.pid)) continue;
    try {
      process.kill(c.pid, 'SIGTERM');
    } catch {
      continue;
    }
    const deadline = Date.now() + 10000;
    while (alive(c.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(c.pid)) process.kill(c.pid, 'SIGKILL');
  }
}

export async function stop(opts: LauncherOptions): Promise<number> {
  const stateFile = path.join(opts.clusterDir, 'state.json');
  const state = readState(stateFile);
  if (!state) {
    console.log('no control plane is running (no state.json)');
    return 0;
  }
  await stopPids(state.components);
  rmSync(stateFile, { force: true });
  console.log(`stopped ${state.components.map((c) => c.name).join(', ')}`);
  return 0;
}

export async function start(opts: LauncherOptions): Promise<number> {
  const dir = opts.clusterDir;
  const stateFile = path.join(dir, 'state.json');
  const existing = readState(stateFile);
  if (existing && existing.components.some((c) => alive(c.pid))) {
    console.error(`a control plane from ${stateFile} is still running (${existing.components.map((c) => `${c.name} pid ${c.pid}`).join(', ')}); run \`npm stop\` first`);
    return 1;
  }
  const host = opts.bindAddress;
  const ports = [opts.etcdPort, opts.etcdPort + 1, ...Array.from({ length: opts.apiservers }, (_, i) => opts.port + i)];
  for (const p of ports) {
    if (!(await portFree(p, host))) {
      console.error(`port ${p} on ${host} is already in use; pick others with --port / --etcd-port`);
      return 1;
    }
  }
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const components: Component[] = [];
  const children: ChildProcess[] = [];
  const launch = (name: string, cmd: string, args: string[]): { child: ChildProcess; log: string } => {
    const log = path.join(dir, 'logs', `${name}.log`);
    let child: ChildProcess;
    if (opts.detach) {
      const fd = openSync(log, 'a');
      child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
      child.unref();
    } else {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const file = createWriteStream(log, { flags: 'a' });
      for (const stream of [child.stdout!, child.stderr!]) {
        stream.pipe(file);
        stream.on('data', (d: Buffer) => {
          for (const line of d.toString().split('\n')) if (line.trim()) process.stdout.write(`[${name}] ${line}\n`);
        });
      }
    }
    children.push(child);
    return { child, log };
  };

  const cleanup = async () => {
    await stopPids(components);
    rmSync(stateFile, { force: true });
  };

  try {
    const etcdUrl = `http://${host}:${opts.etcdPort}`;
    const peerUrl = `http://${host}:${opts.etcdPort + 1}`;
    const etcd = launch('etcd-1', 'etcd', [
      '--name', 'etcd-1', '--data-dir', path.join(dir, 'etcd'),
      '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `etcd-1=${peerUrl}`,
    ]);
    components.push({ name: 'etcd-1', role: 'etcd', pid: etcd.child.pid!, url: etcdUrl });
    await waitReady(`${etcdUrl}/health`, 'etcd', etcd.child, etcd.log);

    for (let i = 0; i < opts.apiservers; i++) {
      const port = opts.port + i;
      const name = `apiserver-${i + 1}`;
      const a = launch(name, process.execPath, [path.join(root, 'dist/server/main.js'), `--etcd-servers=${etcdUrl}`, `--secure-port=${port}`, `--bind-address=${host}`, `--instance-name=${name}`]);
      components.push({ name, role: 'apiserver', pid: a.child.pid!, url: `http://${host}:${port}` });
    }
    for (const [i, c] of components.filter((x) => x.role === 'apiserver').entries()) {
      await waitReady(`${c.url}/readyz`, c.name, children[i + 1], path.join(dir, 'logs', `${c.name}.log`));
    }
    writeFileSync(stateFile, JSON.stringify({ components }, null, 2) + '\n');
    const kc = path.join(dir, 'kubeconfig');
    writeFileSync(kc, kubeconfig(components.find((c) => c.role === 'apiserver')!.url));
    console.log(`control plane ready: ${components.map((c) => `${c.name} ${c.url}`).join(', ')}`);
    console.log(`  export KUBECONFIG=${kc}`);
  } catch (e) {
    console.error((e as Error).message);
    await cleanup();
    return 1;
  }

  if (opts.detach) return 0;
  console.log('press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      void cleanup().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    for (const child of children) {
      child.on('exit', (code) => {
        if (!stopping) {
          console.error(`a component exited (code ${code}); stopping the control plane`);
          onSignal();
        }
      });
    }
  });
  return 0;
}

async function main(): Promise<void> {
  let opts: LauncherOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  process.exit(opts.command === 'stop' ? await stop(opts) : await start(opts));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) void main();
