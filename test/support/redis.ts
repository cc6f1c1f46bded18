// A real redis-server for a test, on its own free port, with nothing kept on disk.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { freePort } from './ports.js';

export interface RedisServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** SIGKILL: the data goes with it, as a crashed cache would lose it. */
  kill(): Promise<void>;
  /** Starts again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => resolve(false));
  });
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`, port, process: undefined as unknown as ChildProcess,
    async kill() {
      await exit(server.process, 'SIGKILL');
    },
    async restart() {
      server.process = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
      const deadline = Date.now() + 20000;
      while (!(await ping(port))) {
        if (server.process.exitCode !== null) throw new Error(`redis-server on ${port} exited (${server.process.exitCode})`);
        if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer PING`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      await exit(server.process, 'SIGTERM');
    },
  };
  await server.restart();
  return server;
}

function exit(p: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill(signal);
  });
}
