// The server runs on the native uWebSockets.js addon or not at all: no silent pure-JS fallback.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNative, nativeBinaryPath, uws } from '../../server/http/uws.js';

describe('uWebSockets.js loading', () => {
  it('loads the native addon for this Node ABI', () => {
    expect(nativeBinaryPath()).toMatch(new RegExp(`uws_${process.platform}_${process.arch}_${process.versions.modules}\\.node$`));
    expect(typeof uws.App).toBe('function');
    // The pure-JS fallback has no SSLApp; the native addon does.
    expect(typeof (uws as unknown as { SSLApp?: unknown }).SSLApp).toBe('function');
  });

  it('picks the 20.30 build on Node 20 and the 20.57 build on the LTS lines after it (the compose image)', () => {
    expect(nativeBinaryPath('linux', 'x64', '115')).toMatch(/uws-js-unofficial\/binaries\/uws_linux_x64_115\.node$/);
    for (const abi of ['127', '137', '141']) {
      const binary = nativeBinaryPath('linux', 'x64', abi);
      expect(binary).toMatch(new RegExp(`@btc-vision/uwebsockets\\.js/uws_linux_x64_${abi}\\.node$`));
      expect(existsSync(binary)).toBe(true);
    }
  });

  it('refuses to start when the addon for the ABI is missing, instead of falling back', () => {
    expect(() => loadNative(nativeBinaryPath('linux', 'x64', '999'))).toThrow(/refusing to start on the pure-JS fallback/);
  });
});
