// Loads the native uWebSockets.js addon directly. The npm build falls back to a slow pure-JS
// server when the addon fails to load; we refuse to start on that instead.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export type UWS = typeof import('@trufflesuite/uws-js-unofficial');
export type { HttpRequest, HttpResponse, TemplatedApp, WebSocket } from '@trufflesuite/uws-js-unofficial';

function loadNative(): UWS {
  const pkgDir = path.dirname(require.resolve('@trufflesuite/uws-js-unofficial/package.json'));
  const binary = path.join(pkgDir, 'binaries', `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`);
  try {
    return require(binary) as UWS;
  } catch (e) {
    throw new Error(`the native uWebSockets.js addon did not load (${binary}): ${(e as Error).message}; refusing to start on the pure-JS fallback`);
  }
}

export const uws: UWS = loadNative();
