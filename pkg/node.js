// Entry point for Node.js (the "node" export condition): the .wasm file is read
// from disk and compiled synchronously, so a Guard can be made as soon as
// init() returns, even before its promise is awaited.

import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { initSync } from './dist/mmguard.js';
import { initOnce, setEngineLoader, setModelLoader, setSimdBuild, simdLoaded, simdSupported } from './core.js';
import { setWorkerSpawner } from './guard-worker.js';

export {
  AudioDetector, Guard, ImageDetector, MmguardError, TextDetector, defaultPolicy, simdLoaded, simdSupported, version,
} from './core.js';
export { GuardWorker } from './guard-worker.js';
export { guardUpload } from './upload.js';

// The models ship in the package's models/ folder.
setModelLoader(async (name) => readFileSync(new URL(`./models/${name}`, import.meta.url)));

/**
 * Loads dist/mmguard_bg.wasm next to this file (dist/mmguard_nosimd_bg.wasm
 * where the runtime lacks wasm SIMD, or with `options.simd` false); `input`
 * is ignored (the browser's override). Idempotent; returns a promise for
 * parity with the browser.
 */
export function init(input, options) {
  return initOnce((simd) => {
    const file = simd ? './dist/mmguard_bg.wasm' : './dist/mmguard_nosimd_bg.wasm';
    initSync({ module: readFileSync(new URL(file, import.meta.url)) });
    setSimdBuild(simd);
  }, options);
}

// The engine module, compiled from disk when an image detector is first used:
// the build that matches the sanitizer module init() loaded.
setEngineLoader(async () => {
  const engine = await import('./dist/mmguard_engine.js');
  const file = (simdLoaded() ?? simdSupported()) ? './dist/mmguard_engine_bg.wasm' : './dist/mmguard_engine_nosimd_bg.wasm';
  engine.initSync({ module: readFileSync(new URL(file, import.meta.url)) });
  return engine;
});

// GuardWorker's workers: worker_threads running node-worker.js. A pool keeps
// the process alive until terminate() is called.
setWorkerSpawner(() => {
  const worker = new Worker(new URL('./node-worker.js', import.meta.url));
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (handle) => worker.on('message', handle),
    onFailure: (handle) => {
      worker.on('error', handle);
      worker.on('exit', (code) => handle(new Error(`the worker exited with code ${code}`)));
    },
    terminate: () => {
      worker.terminate();
    },
  };
});
