// Entry point for browsers and bundlers (the "browser" and "default" export
// conditions): the .wasm file is fetched and compiled asynchronously, streaming
// where the server sends it as application/wasm.

import initWasm from './dist/mmguard.js';
import { initOnce, setEngineLoader, setModelLoader, setSimdBuild, simdLoaded, simdSupported } from './core.js';
import { setWorkerSpawner } from './guard-worker.js';

export {
  AudioDetector, Guard, ImageDetector, MmguardError, TextDetector, defaultPolicy, simdLoaded, simdSupported, version,
} from './core.js';
export { GuardWorker } from './guard-worker.js';
export { guardUpload } from './upload.js';

// Fetched only when a detector is first used. Each model's URL is written out
// whole, so bundlers see it as an asset.
const MODELS = {
  'text-injection.onnx': () => new URL('./models/text-injection.onnx', import.meta.url),
  'image-adversarial.onnx': () => new URL('./models/image-adversarial.onnx', import.meta.url),
  'image-typographic.onnx': () => new URL('./models/image-typographic.onnx', import.meta.url),
  'audio-adversarial.onnx': () => new URL('./models/audio-adversarial.onnx', import.meta.url),
};

setModelLoader(async (name) => {
  const url = MODELS[name];
  if (!url) throw new Error(`the package ships no model ${name}`);
  const response = await fetch(url());
  if (!response.ok) throw new Error(`${response.status} ${response.statusText} for ${response.url}`);
  return new Uint8Array(await response.arrayBuffer());
});

/**
 * Loads the wasm module. Call and await it once before anything else; later
 * calls return the same promise. `input` overrides where the module comes from
 * (a URL, a Response, bytes or a compiled WebAssembly.Module). By default it is
 * dist/mmguard_bg.wasm next to this file, or dist/mmguard_nosimd_bg.wasm where
 * the browser lacks wasm SIMD; `options.simd` (true or false) forces the
 * choice. Both URLs are written out whole, so bundlers see the assets.
 */
export function init(input, options) {
  return initOnce((simd) => {
    const url = simd
      ? new URL('./dist/mmguard_bg.wasm', import.meta.url)
      : new URL('./dist/mmguard_nosimd_bg.wasm', import.meta.url);
    return initWasm({ module_or_path: input ?? url }).then(() => setSimdBuild(input ? null : simd));
  }, options);
}

// The engine module, fetched when an image detector is first used: the
// build that matches the sanitizer module init() loaded.
setEngineLoader(async () => {
  const engine = await import('./dist/mmguard_engine.js');
  const url = (simdLoaded() ?? simdSupported())
    ? new URL('./dist/mmguard_engine_bg.wasm', import.meta.url)
    : new URL('./dist/mmguard_engine_nosimd_bg.wasm', import.meta.url);
  await engine.default({ module_or_path: url });
  return engine;
});

// GuardWorker's workers: module workers started from this package's own
// worker.js, so they load under a strict CSP (worker-src 'self').
if (typeof Worker !== 'undefined') {
  setWorkerSpawner(() => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      onMessage: (handle) => worker.addEventListener('message', (event) => handle(event.data)),
      onFailure: (handle) => {
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          handle(new Error(event.message || 'the worker script could not be loaded or threw'));
        });
        worker.addEventListener('messageerror', () => handle(new Error('a message from the worker could not be read')));
      },
      terminate: () => worker.terminate(),
    };
  });
}
