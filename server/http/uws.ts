// Loads the native uWebSockets.js addon directly. The npm build falls back to a slow pure-JS
// server when the addon fails to load; we refuse to start on that instead.
// Two builds: on Node 20 (this machine, glibc 2.36) the 20.30 build every test runs on; on the LTS
// lines after it (Node 22, 24, 25: the compose image, Debian trixie) the 20.57 build, whose addons need
// glibc 2.38 and have no Node 20 one that loads here. Same API for what the server uses.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export type UWS = typeof import('@trufflesuite/uws-js-unofficial');
export type { HttpRequest, HttpResponse, TemplatedApp, WebSocket } from '@trufflesuite/uws-js-unofficial';

/** Node 20's ABI: the one the 20.30 build is used for. */
const node20Abi = '115';

/** The addon built for this platform and Node ABI, from the build that serves that Node line. */
export function nativeBinaryPath(platform = process.platform, arch = process.arch, abi = process.versions.modules): string {
  if (abi === node20Abi) {
    const pkgDir = path.dirname(require.resolve('@trufflesuite/uws-js-unofficial/package.json'));
    return path.join(pkgDir, 'binaries', `uws_${platform}_${arch}_${abi}.node`);
  }
  const pkgDir = path.dirname(require.resolve('@btc-vision/uwebsockets.js'));
  return path.join(pkgDir, `uws_${platform}_${arch}_${abi}.node`);
}

/** Loads the native addon or throws: never the package's pure-JS fallback. */
export function loadNative(binary = nativeBinaryPath()): UWS {
  try {
    return require(binary) as UWS;
  } catch (e) {
    throw new Error(`the native uWebSockets.js addon did not load (${binary}): ${(e as Error).message}; refusing to start on the pure-JS fallback`);
  }
}

// What this build's C++ HTTP parser drops before JavaScript runs, with no run-time setting to change
// it (no UWS_HTTP_MAX_HEADERS_SIZE / _COUNT in this build; the limits are compiled in), so the load
// balancer must front it (test/integration/http-edges.test.ts pins each): a request head over 4 KiB
// arriving in more than one TCP read; more than 48 header fields; methods outside GET, HEAD, POST,
// PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT (and any in lower case); CONNECT in authority form; a request without Host or
// with no header at all; a Content-Length holding a list ("3, 5"), or Content-Length beside
// Transfer-Encoding; a Content-Length that is not a number ("-1") reaches JavaScript, but uWS closes
// the connection without writing the answer.
export const uws: UWS = loadNative();
