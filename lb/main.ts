// Entry point of the load balancer: `node dist/lb/main.js --listen 127.0.0.1:6443 --backends http://127.0.0.1:6444,...`.
//
// Why node:https and not uWebSockets.js like the API server: the LB is where client TLS ends and
// where client-certificate identity is read (then forwarded as X-Remote-User/X-Remote-Group, see
// identity/front-proxy.ts). uWebSockets.js cannot hand a client certificate to JavaScript; node's tls can.
import { loadLbConfig } from './config.js';
import { LoadBalancer } from './lb.js';
import { tracingSettings } from '../server/tracing/settings.js';
import { startTracing, stopTracing } from '../server/tracing/tracing.js';
import { logger } from '../server/logging/logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadLbConfig(process.argv.slice(2));
    logger.configure({ format: config.loggingFormat, verbosity: config.verbosity });
    await startTracing(tracingSettings(process.env, { serviceName: 'kube-apiserver-ts-lb', instanceName: 'lb' }, config.tracingConfigFile));
  } catch (e) {
    logger.error((e as Error).message);
    process.exit(2);
  }
  const lb = new LoadBalancer(config);
  const port = await lb.start();
  logger.info(`lb: serving on ${config.tls ? 'https' : 'http'}://${config.listenHost}:${port} for ${config.backends.map((b) => b.origin).join(',')}`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await lb.drain();
    await stopTracing().catch(() => undefined);
    logger.error('lb: stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

main().catch((e) => {
  logger.error(e);
  process.exit(1);
});
