// The launcher's command line: `start [--detach] [--port 6443] [--etcd-port 2379] ...` or `stop`.
import path from 'node:path';

export interface LauncherOptions {
  command: 'start' | 'stop';
  /** Return once ready, leaving the processes running (logs only in <cluster-dir>/logs). */
  detach: boolean;
  /** Where clients connect: the load balancer; API server i listens on port + i (i from 1). */
  port: number;
  /** etcd client port. */
  etcdPort: number;
  /** etcd peer port (defaults to etcdPort + 1, i.e. 2380). */
  etcdPeerPort: number;
  /** How many API server instances share the etcd cluster. */
  apiservers: number;
  /** Members of the etcd cluster: 1, 3 or 5. */
  etcdMembers: number;
  /** Redis for the watch fan-out (--no-redis: every instance watches etcd itself). */
  redis: boolean;
  redisPort: number;
  /** Internal: run in the foreground as the supervisor a detached start leaves behind. */
  supervise: boolean;
  /** Where etcd data, logs, state.json and the kubeconfig go. */
  clusterDir: string;
  bindAddress: string;
  /** The real kube-controller-manager, kube-scheduler and kwok too (built once with Go). */
  controllers: boolean;
  /** How many kwok nodes to register with --controllers. */
  kwokNodes: number;
  /** TLS, client certificates, RBAC and restricted anonymous access (the default); --plain-http: plain HTTP, anyone may do anything. */
  tls: boolean;
  /** --logging-format text|json and -v / --v N: the API servers' and the LB's logs (kube's flags, passed on). */
  loggingFormat?: 'text' | 'json';
  verbosity?: number;
  /** --tracing-config-file: kube's TracingConfiguration for the API servers and the LB (else the OTEL_* environment, passed on). */
  tracingConfigFile?: string;
}

const usage = 'options: --detach, --port N, --etcd-port N, --etcd-peer-port N, --apiservers N, --etcd-members 1|3|5, --no-redis, --redis-port N, --cluster-dir DIR (alias --state-dir), --bind-address IP, --controllers, --kwok-nodes N, --plain-http, --logging-format text|json, -v N, --tracing-config-file FILE';

export function parseArgs(argv: string[], root: string = process.cwd()): LauncherOptions {
  const opts: LauncherOptions = {
    command: 'start', detach: false, port: 6443, etcdPort: 2379, etcdPeerPort: 0, apiservers: 3, etcdMembers: 3, redis: true, redisPort: 6379, supervise: false,
    clusterDir: path.join(root, '.cluster'), bindAddress: '127.0.0.1', controllers: false, kwokNodes: 2, tls: true,
  };
  const args = [...argv];
  if (args[0] === 'start' || args[0] === 'stop') opts.command = args.shift() as 'start' | 'stop';
  const number = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${flag} must be a positive whole number, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '--detach': case '-d': opts.detach = true; break;
      case '--port': case '--secure-port': opts.port = number(flag, value()); break;
      case '--etcd-port': opts.etcdPort = number(flag, value()); break;
      case '--etcd-peer-port': opts.etcdPeerPort = number(flag, value()); break;
      case '--apiservers': opts.apiservers = number(flag, value()); break;
      case '--no-redis': opts.redis = false; break;
      case '--redis-port': opts.redisPort = number(flag, value()); break;
      case '--supervise': opts.supervise = true; break;
      case '--controllers': opts.controllers = true; break;
      case '--plain-http': opts.tls = false; break;
      case '--kwok-nodes': opts.kwokNodes = number(flag, value()); break;
      case '--logging-format': {
        const format = value();
        if (format !== 'text' && format !== 'json') throw new Error(`--logging-format must be text or json, got ${format ?? 'nothing'}`);
        opts.loggingFormat = format;
        break;
      }
      case '-v': case '--v': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 0) throw new Error(`${flag} must be a whole number`);
        opts.verbosity = v;
        break;
      }
      case '--tracing-config-file': {
        const file = value();
        if (!file) throw new Error('--tracing-config-file needs a file');
        opts.tracingConfigFile = path.resolve(file);
        break;
      }
      case '--etcd-members': {
        const n = number(flag, value());
        if (![1, 3, 5].includes(n)) throw new Error(`${flag} must be 1, 3 or 5 (an etcd cluster keeps quorum with an odd count), got ${n}`);
        opts.etcdMembers = n;
        break;
      }
      case '--cluster-dir': case '--state-dir': {
        const dir = value();
        if (!dir) throw new Error(`${flag} needs a directory`);
        opts.clusterDir = path.resolve(dir);
        break;
      }
      case '--bind-address': {
        const ip = value();
        if (!ip) throw new Error('--bind-address needs an address');
        opts.bindAddress = ip;
        break;
      }
      default: throw new Error(`unknown option ${args[i]} (${usage})`);
    }
  }
  if (!opts.etcdPeerPort) opts.etcdPeerPort = opts.etcdPort + 1;
  // --controllers listen on the three ports after the API servers', the front-proxy listeners after those.
  if (opts.port + 2 * opts.apiservers + 3 > 65535) throw new Error(`--port ${opts.port} with --apiservers ${opts.apiservers} runs past port 65535`);
  return opts;
}
