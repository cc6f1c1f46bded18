// Starting, waiting for and stopping child processes, and picking free ports: one implementation
// for the local launcher, the benchmarks' runner and the tests' cluster support.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, openSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import readline from 'node:readline';
import tls from 'node:tls';
import { alive, type Component } from './state.js';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
}

export interface StartOptions {
  /** Appends the process's stdout and stderr to this file. */
  logFile?: string;
  /** Its own process group, output only to logFile, outlives this process. */
  detach?: boolean;
  /** Also print every line on our stdout, prefixed with the name. */
  echo?: boolean;
}

export interface Running<S extends ProcessSpec = ProcessSpec> {
  spec: S;
  child: ChildProcess;
  /** The log file, when there is one. */
  log?: string;
  /** A spawn failure (ENOENT and the like), kept for waitReady. */
  error?: Error;
  /** Everything the process wrote so far (empty when detached: see the log file). */
  output(): string;
  exited(): boolean;
}

export function startProcess<S extends ProcessSpec>(spec: S, opts: StartOptions = {}): Running<S> {
  const env = spec.env ? { ...process.env, ...spec.env } : process.env;
  const out: string[] = [];
  let child: ChildProcess;
  if (opts.detach) {
    const fd = opts.logFile ? openSync(opts.logFile, 'a') : 'ignore';
    child = spawn(spec.command, spec.args, { detached: true, stdio: ['ignore', fd, fd], env });
    child.unref();
  } else {
    child = spawn(spec.command, spec.args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const file = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (d: Buffer) => out.push(String(d)));
      if (file) stream.pipe(file, { end: false });
      if (opts.echo) {
        const prefix = `[${spec.name}] `;
        readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
          if (line.trim()) process.stdout.write(prefix + line + '\n');
        });
      }
    }
  }
  const running: Running<S> = {
    spec, child, log: opts.logFile,
    output: () => out.join(''),
    exited: () => child.exitCode !== null || child.signalCode !== null,
  };
  // ENOENT and the like arrive as an event; keep it for waitReady instead of crashing.
  child.on('error', (e) => { running.error = e; });
  return running;
}

/** A readiness check that holds once `url` answers 2xx. */
export function httpReady(url: string): () => Promise<boolean> {
  return async () => (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
}

/**
 * What a readiness check presents to a component that admits only the cluster's clients: a CA to
 * verify it with, a client certificate, and (Redis) the ACL user's password file.
 */
export interface ProbeCredentials {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  passwordFile?: string;
}

function tlsOptions(probe: ProbeCredentials): tls.ConnectionOptions {
  // Without a CA: a self-signed certificate (the Kubernetes components' own), not verified.
  return probe.caFile
    ? { ca: readFileSync(probe.caFile), ...(probe.certFile && probe.keyFile ? { cert: readFileSync(probe.certFile), key: readFileSync(probe.keyFile) } : {}) }
    : { rejectUnauthorized: false };
}

/** One Redis command in RESP, so a password with any bytes in it goes through intact. */
function respCommand(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * A readiness check that holds once the Redis server at `url` (redis://[user@]host:port, or rediss://
 * for TLS) answers PING, after AUTH as the URL's user with the probe's password file when there is one.
 */
export function redisReady(url: string, probe: ProbeCredentials = {}): () => Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port) || 6379;
  return () => new Promise((resolve) => {
    const s = u.protocol === 'rediss:' ? tls.connect({ host: u.hostname, port, servername: net.isIP(u.hostname) ? undefined : u.hostname, ...tlsOptions(probe) }) : net.connect(port, u.hostname);
    let answer = '';
    s.setTimeout(2000, () => s.destroy());
    s.once(u.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      const auth = probe.passwordFile ? respCommand('AUTH', ...(u.username ? [decodeURIComponent(u.username)] : []), readFileSync(probe.passwordFile, 'utf8').trim()) : '';
      s.write(auth + respCommand('PING'));
    });
    s.on('data', (d) => {
      answer += d.toString();
      if (answer.startsWith('-') || answer.includes('+PONG') || answer.includes('\r\n-')) {
        s.destroy();
        resolve(answer.includes('+PONG') && !answer.startsWith('-'));
      }
    });
    s.once('error', () => resolve(false));
    s.once('close', () => resolve(false));
  });
}

/** A readiness check that holds once `url` answers 2xx over HTTPS: verified with the probe's CA and client certificate, or a self-signed server not verified. */
export function httpsReady(url: string, probe: ProbeCredentials = {}): () => Promise<boolean> {
  return () => new Promise((resolve) => {
    const req = https.get(url, { ...tlsOptions(probe), agent: false, timeout: 2000 } as https.RequestOptions, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 300);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** The readiness check a component's readyUrl calls for (HTTP(S) 2xx, or a Redis PING), presenting `probe`. */
export function readyCheck(url: string, probe?: ProbeCredentials): () => Promise<boolean> {
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return redisReady(url, probe);
  return url.startsWith('https://') ? httpsReady(url, probe) : httpReady(url);
}

/** Raised when a process exits before it is ready; `output` is what it wrote. */
export class ExitedBeforeReady extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
  }
}

/** Polls `ready` until it holds; fails at once when the process cannot run or exits first. */
export async function waitReady(r: Running, ready: () => Promise<boolean>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 60000;
  const where = r.log ? `; see ${r.log}` : '';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (r.error) {
      const hint = (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (not on PATH; `node scripts/ensure-deps.mjs` installs it)' : '';
      throw new Error(`${r.spec.name}: could not run ${r.spec.command}${hint}: ${r.error.message}`);
    }
    if (r.exited()) {
      const output = r.output();
      throw new ExitedBeforeReady(`${r.spec.name} exited (${r.child.exitCode ?? r.child.signalCode}) before it was ready${where}${output ? `: ${output.trim().slice(-2000)}` : ''}`, output);
    }
    try {
      if (await ready()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${r.spec.name} was not ready after ${timeoutMs / 1000}s${where}`);
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 100));
  }
}

/** SIGTERM (or `signal`), then SIGKILL after graceMs; resolves once the process has exited. */
export function stopProcess(child: ChildProcess, graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** The same for a process we only know by pid (one a detached launcher left running). */
export async function stopPid(pid: number, graceMs = 10000): Promise<void> {
  if (!pid || !alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** SIGTERM, then SIGKILL after graceMs; clients (controllers, the LB, API servers) before the stores they use. */
export async function stopComponents(components: Component[], graceMs = 10000): Promise<void> {
  const rank = (c: Component): number => ({ controller: 0, lb: 1, apiserver: 2, redis: 3, etcd: 4 })[c.role] ?? 2;
  const groups = new Map<number, Component[]>();
  for (const c of components) groups.set(rank(c), [...(groups.get(rank(c)) ?? []), c]);
  for (const r of [...groups.keys()].sort()) {
    await Promise.all(groups.get(r)!.map((c) => stopPid(c.pid, graceMs)));
  }
}

export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * A port that was free a moment ago. Only a hint: it is released before the child binds it, so
 * another process may take it first; start through startOnFreePorts to retry when that happens.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** What etcd ("address already in use") and the API server ("cannot listen on") say when a port is taken. */
export function portTakenIn(output: string): boolean {
  return /address already in use|EADDRINUSE|cannot listen on/i.test(output);
}

/**
 * Runs `start` with `count` free ports; when it fails because one was taken in the meantime (the
 * process exited saying so), tries again with new ports.
 */
export async function startOnFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    while (ports.length < count) {
      const p = await freePort();
      if (!ports.includes(p)) ports.push(p);
    }
    try {
      return await start(ports);
    } catch (e) {
      if (attempt >= attempts || !(e instanceof ExitedBeforeReady && portTakenIn(e.output))) throw e;
    }
  }
}
