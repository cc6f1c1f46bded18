// Entry point of one API server instance: `node dist/server/main.js --etcd-servers=... --secure-port=...`.
import { APIServer } from './apiserver.js';
import { loadConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const server = new APIServer(config);
  const port = await server.start();
  console.log(`${config.instanceName}: serving on ${config.tlsCertFile ? 'https' : 'http'}://${config.bindAddress}:${port}${server.frontProxyPort ? `, for the front proxy on :${server.frontProxyPort}` : ''} (etcd ${config.etcdServers.join(',')})`);
  let signals = 0;
  const shutdown = async () => {
    // A second signal while draining: stop at once.
    if (++signals > 1) process.exit(1);
    console.log(`${config.instanceName}: shutting down`);
    await server.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
