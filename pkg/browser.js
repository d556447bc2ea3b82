// Entry point for browsers and bundlers (the "browser" and "default" export
// conditions): the .wasm file is fetched and compiled asynchronously, streaming
// where the server sends it as application/wasm.

import initWasm from './dist/mmguard.js';
import { initOnce } from './core.js';

export { Guard, MmguardError, defaultPolicy, version } from './core.js';

/**
 * Loads the wasm module. Call and await it once before anything else; later
 * calls return the same promise. `input` overrides where the module comes from
 * (a URL, a Response, bytes or a compiled WebAssembly.Module); by default it is
 * dist/mmguard_bg.wasm next to this file, written so bundlers see the asset.
 */
export function init(input) {
  return initOnce(() =>
    initWasm({ module_or_path: input ?? new URL('./dist/mmguard_bg.wasm', import.meta.url) }),
  );
}
