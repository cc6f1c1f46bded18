// The server runs on the native uWebSockets.js addon or not at all: no silent pure-JS fallback.
import { describe, expect, it } from 'vitest';
import { loadNative, nativeBinaryPath, uws } from '../../server/http/uws.js';

describe('uWebSockets.js loading', () => {
  it('loads the native addon for this Node ABI', () => {
    expect(nativeBinaryPath()).toMatch(new RegExp(`uws_${process.platform}_${process.arch}_${process.versions.modules}\\.node$`));
    expect(typeof uws.App).toBe('function');
    // The pure-JS fallback has no SSLApp; the native addon does.
    expect(typeof (uws as unknown as { SSLApp?: unknown }).SSLApp).toBe('function');
  });

  it('refuses to start when the addon for the ABI is missing, instead of falling back', () => {
    expect(() => loadNative(nativeBinaryPath('linux', 'x64', '999'))).toThrow(/refusing to start on the pure-JS fallback/);
  });
});
