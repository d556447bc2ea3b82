// Entry point for Node.js (the "node" export condition): the .wasm file is read
// from disk and compiled synchronously, so a Guard can be made as soon as
// init() returns, even before its promise is awaited.

import { readFileSync } from 'node:fs';
import { initSync } from './dist/mmguard.js';
import { initOnce, setEngineLoader, setModelLoader } from './core.js';

export { AudioDetector, Guard, ImageDetector, MmguardError, TextDetector, defaultPolicy, version } from './core.js';

// The models ship in the package's models/ folder.
setModelLoader(async (name) => readFileSync(new URL(`./models/${name}`, import.meta.url)));

/** Loads dist/mmguard_bg.wasm next to this file. Idempotent; returns a promise for parity with the browser. */
export function init() {
  return initOnce(() => {
    initSync({ module: readFileSync(new URL('./dist/mmguard_bg.wasm', import.meta.url)) });
  });
}

// The engine module, compiled from disk when an image detector is first used.
setEngineLoader(async () => {
  const engine = await import('./dist/mmguard_engine.js');
  engine.initSync({ module: readFileSync(new URL('./dist/mmguard_engine_bg.wasm', import.meta.url)) });
  return engine;
});
