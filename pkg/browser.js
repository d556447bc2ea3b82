// Entry point for browsers and bundlers (the "browser" and "default" export
// conditions): the .wasm file is fetched and compiled asynchronously, streaming
// where the server sends it as application/wasm.

import initWasm from './dist/mmguard.js';
import { initOnce, setEngineLoader, setModelLoader } from './core.js';

export { AudioDetector, Guard, ImageDetector, MmguardError, TextDetector, defaultPolicy, version } from './core.js';

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
 * (a URL, a Response, bytes or a compiled WebAssembly.Module); by default it is
 * dist/mmguard_bg.wasm next to this file, written so bundlers see the asset.
 */
export function init(input) {
  return initOnce(() =>
    initWasm({ module_or_path: input ?? new URL('./dist/mmguard_bg.wasm', import.meta.url) }),
  );
}

// The engine module, fetched when an image detector is first used.
setEngineLoader(async () => {
  const engine = await import('./dist/mmguard_engine.js');
  await engine.default({ module_or_path: new URL('./dist/mmguard_engine_bg.wasm', import.meta.url) });
  return engine;
});
