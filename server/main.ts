// Entry point of one API server instance: `node dist/server/main.js --etcd-servers=... --secure-port=...`.
import { APIServer } from './apiserver.js';
import { loadConfig } from './config.js';
import { logger } from './logging/logger.js';
import { tracingSettings } from './tracing/settings.js';
import { startTracing, stopTracing } from './tracing/tracing.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2));
    logger.configure({ format: config.loggingFormat, verbosity: config.verbosity });
    // Before the server is built: its parts ask whether tracing is on as they are made.
    await startTracing(tracingSettings(process.env, { serviceName: 'apiserver', instanceName: config.instanceName }, config.tracingConfigFile));
  } catch (e) {
    logger.error((e as Error).message);
    process.exit(2);
  }
  const server = new APIServer(config);
  const port = await server.start();
  logger.info(`${config.instanceName}: serving on ${config.tlsCertFile ? 'https' : 'http'}://${config.bindAddress}:${port}${server.frontProxyPort ? `, for the front proxy on :${server.frontProxyPort}` : ''} (etcd ${config.etcdServers.join(',')})`);
  let signals = 0;
  const shutdown = async () => {
    // A second signal while draining: stop at once.
    if (++signals > 1) process.exit(1);
    logger.info(`${config.instanceName}: shutting down`);
    await server.shutdown();
    await stopTracing().catch((e: unknown) => logger.error('tracing: flushing spans failed', undefined, e));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

main().catch((e) => {
  logger.error(e);
  process.exit(1);
});
