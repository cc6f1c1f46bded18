// Registers kwok's simulated nodes with the API (the compose file's one-shot `kwok-nodes` service;
// the local launcher does the same itself with --controllers).
//   node dist/compose/kwok-nodes.js --server https://lb:6443 [--count 2] [--kubeconfig FILE]
import { registerKwokNodes } from './local/controllers.js';

async function main(): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = process.argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    return process.argv[i].includes('=') ? process.argv[i].split('=')[1] : process.argv[i + 1];
  };
  const server = arg('--server') ?? 'http://127.0.0.1:6443';
  const count = Number(arg('--count') ?? 2);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive whole number, got ${arg('--count')}`);
  console.log(`kwok nodes registered: ${(await registerKwokNodes(server, count, arg('--kubeconfig'))).join(', ')}`);
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
