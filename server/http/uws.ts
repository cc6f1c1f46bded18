// Loads the native uWebSockets.js addon directly. The npm build falls back to a slow pure-JS
// server when the addon fails to load; we refuse to start on that instead.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export type UWS = typeof import('@trufflesuite/uws-js-unofficial');
export type { HttpRequest, HttpResponse, TemplatedApp, WebSocket } from '@trufflesuite/uws-js-unofficial';

/** The addon built for this platform and Node ABI, as the package's own loader would pick it. */
export function nativeBinaryPath(platform = process.platform, arch = process.arch, abi = process.versions.modules): string {
  const pkgDir = path.dirname(require.resolve('@trufflesuite/uws-js-unofficial/package.json'));
  return path.join(pkgDir, 'binaries', `uws_${platform}_${arch}_${abi}.node`);
}

/** Loads the native addon or throws: never the package's pure-JS fallback. */
export function loadNative(binary = nativeBinaryPath()): UWS {
  try {
    return require(binary) as UWS;
  } catch (e) {
    throw new Error(`the native uWebSockets.js addon did not load (${binary}): ${(e as Error).message}; refusing to start on the pure-JS fallback`);
  }
}

export const uws: UWS = loadNative();
