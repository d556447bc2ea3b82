// Entry point for Cloudflare Workers and other workerd-based runtimes (the
// "workerd" export condition). They forbid compiling wasm from bytes at run
// time, so the .wasm file is imported as a module (the runtime compiles it at
// deploy time) and instantiated synchronously when this module loads.

import wasmModule from './dist/mmguard_bg.wasm';
import { initSync } from './dist/mmguard.js';
import { initOnce, setSimdBuild } from './core.js';

// No model loader: a worker cannot read files at run time, so it imports a
// model as a Data module and passes it (options.detectors.text).
export {
  AudioDetector, Guard, ImageDetector, MmguardError, TextDetector, defaultPolicy, simdLoaded, simdSupported, version,
} from './core.js';
// GuardWorker is exported for code shared with the browser; workerd starts no
// workers, so its create() rejects with worker.unavailable.
export { GuardWorker } from './guard-worker.js';
export { guardUpload } from './upload.js';

// workerd's V8 has wasm SIMD: the SIMD build only.
const ready = initOnce(() => {
  initSync({ module: wasmModule });
  setSimdBuild(true);
});

/** Already done when this module loaded; kept so code is the same on every runtime. */
export function init() {
  return ready;
}
