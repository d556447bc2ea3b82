// The JavaScript API shared by every entry point (browser.js, node.js,
// workerd.js). It wraps the generated wasm-bindgen glue in dist/ so that callers
// get one error class with stable codes, input checks that happen before
// anything crosses into wasm, and a clear error when init() was forgotten.
// The entry points differ only in how they load the .wasm file.

import {
  WasmGuard,
  WasmAudioDetector,
  WasmImageDetector,
  WasmTextDetector,
  defaultPolicy as wasmDefaultPolicy,
  version as wasmVersion,
} from './dist/mmguard.js';

/** An input or policy mmguard refused to process. Branch on `code`, not on `message`. */
export class MmguardError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'MmguardError';
    this.code = code;
  }
}

// Turns anything thrown by the wasm side into an MmguardError. The Rust side
// throws plain Errors carrying a string `code`; anything else is a trap (a bug
// in mmguard, e.g. RuntimeError "unreachable"), reported as "internal.trap" so
// callers can still branch on `code` alone.
function toMmguardError(err) {
  if (err instanceof MmguardError) return err;
  if (err instanceof Error && typeof err.code === 'string') {
    return new MmguardError(err.code, err.message, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new MmguardError('internal.trap', `mmguard failed unexpectedly: ${message}`, { cause: err });
}

function callWasm(fn) {
  try {
    return fn();
  } catch (err) {
    throw toMmguardError(err);
  }
}

let ready = false;
let loading = null;

// The smallest module that uses a SIMD instruction (i8x16.popcnt of a splat):
// it validates only where the engine has wasm SIMD.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/**
 * Whether this runtime runs WebAssembly SIMD. The entry points load the SIMD
 * build of the module where it does and the baseline build elsewhere; the
 * image and audio detectors' engine needs SIMD.
 */
export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// Which build init() loaded: true (SIMD), false (baseline) or null (not yet).
let simdBuild = null;

/** Used by the entry points only; not part of the public API. */
export function setSimdBuild(simd) {
  simdBuild = simd;
}

/** Whether the loaded module is the SIMD build (null before init()). */
export function simdLoaded() {
  return simdBuild;
}

// init()'s options.simd, checked, else what the runtime supports.
function chooseSimd(options) {
  const simd = options?.simd;
  if (simd === undefined || simd === null) return simdSupported();
  if (typeof simd !== 'boolean') {
    throw new MmguardError('input.type', `init()'s options.simd must be a boolean, got ${describe(simd)}`);
  }
  return simd;
}

/**
 * Runs `load(simd)` (which instantiates the wasm module, the SIMD build or
 * not) once per process or page; every later call gets the same promise. A
 * failed load is forgotten, so calling init() again retries instead of
 * returning the old rejection. `options` are init()'s: a bad `simd` rejects
 * with `input.type` before anything loads.
 * Used by the entry points only; not part of the public API.
 */
export function initOnce(load, options) {
  let simd;
  try {
    simd = chooseSimd(options);
  } catch (err) {
    return Promise.reject(err);
  }
  if (!loading) {
    const attempt = runLoad(() => load(simd));
    loading = attempt;
    attempt.catch(() => {
      if (loading === attempt) loading = null;
    });
  }
  return loading;
}

async function runLoad(load) {
  try {
    const result = load();
    // A synchronous loader (initSync) marks us ready before init() returns,
    // so Node and workerd callers may use a Guard without awaiting.
    if (result && typeof result.then === 'function') await result;
    ready = true;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new MmguardError('init.failed', `could not load mmguard's WebAssembly module: ${why}`, { cause: err });
  }
}

// The generated glue would fail on first use with an obscure TypeError
// ("Cannot read properties of undefined"); say what to do instead.
function requireInit() {
  if (!ready) {
    throw new MmguardError('init.required', 'mmguard is not initialized: call (and await) init() first');
  }
}

/** What `value` is, for error messages. Used by the package's modules only; not part of the public API. */
export function describe(value) {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

// The bytes of a file input (Uint8Array, ArrayBuffer, Blob or File) and its
// declared type: options.type, else a File's name or a Blob's type. Checked
// here so that wrong types get an MmguardError rather than a TypeError.
async function fileInput(method, input, options) {
  let declared = options?.type;
  let bytes;
  if (input instanceof Uint8Array) {
    bytes = input;
  } else if (input instanceof ArrayBuffer) {
    bytes = new Uint8Array(input);
  } else if (typeof Blob !== 'undefined' && input instanceof Blob) {
    declared ??= input.name || input.type || undefined;
    bytes = new Uint8Array(await input.arrayBuffer());
  } else {
    throw notAFile(method, input);
  }
  checkDeclaredType(declared);
  return { bytes, declared };
}

/** The error for a file method given something else. Used by the package's modules only. */
export function notAFile(method, input) {
  return new MmguardError('input.type', `${method}() takes a Uint8Array, an ArrayBuffer or a Blob, got ${describe(input)}`);
}

/** Refuses an options.type that is not a string. Used by the package's modules only. */
export function checkDeclaredType(declared) {
  if (declared !== undefined && typeof declared !== 'string') {
    throw new MmguardError('input.type', `options.type must be a string, got ${describe(declared)}`);
  }
}

// How the entry point reads a model file shipped in the package (models/),
// or null where it cannot (workerd: the caller imports the file).
let modelLoader = null;

/** Used by the entry points only; not part of the public API. */
export function setModelLoader(load) {
  modelLoader = load;
}

// How the entry point loads the engine module (dist/mmguard_engine*), which
// runs the image detectors' networks, or null where it cannot.
let engineLoader = null;

// One promise per key, shared by every caller, for what `load` (an async
// function) makes; a failure is forgotten, so the next call tries again.
const loads = new Map();

function loadOnce(key, load) {
  if (!loads.has(key)) {
    const attempt = load();
    loads.set(key, attempt);
    attempt.catch(() => {
      if (loads.get(key) === attempt) loads.delete(key);
    });
  }
  return loads.get(key);
}

// `load()`, its failure an MmguardError `detector.unavailable` saying `what`.
async function unavailableUnless(what, load) {
  try {
    return await load();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new MmguardError('detector.unavailable', `could not load ${what}: ${why}`, { cause: err });
  }
}

/** Used by the entry points only; not part of the public API. */
export function setEngineLoader(load) {
  engineLoader = load;
}

// The engine module's exports, loaded once (a failure is forgotten).
function loadEngine() {
  if (!engineLoader) {
    return Promise.reject(new MmguardError(
      'detector.unavailable',
      'this runtime cannot load the engine module that image detectors need; ' +
        'set the policy\'s detectors.image_adversarial and detectors.image_typographic actions to "allow"',
    ));
  }
  return loadOnce('engine', () => unavailableUnless('the engine module', engineLoader));
}

// The wasm handle of each TextDetector, out of reach of callers.
const detectorHandles = new WeakMap();

function modelBytes(what, model) {
  if (model instanceof Uint8Array) return model;
  if (model instanceof ArrayBuffer) return new Uint8Array(model);
  throw new MmguardError('input.type', `${what} takes a Uint8Array or an ArrayBuffer, got ${describe(model)}`);
}

/**
 * The text detector (prompt injection and jailbreak), read once from its
 * model's bytes (models/text-injection.onnx in this package). One detector
 * serves any number of guards.
 */
export class TextDetector {
  constructor(model) {
    requireInit();
    const bytes = modelBytes('new TextDetector()', model);
    detectorHandles.set(this, callWasm(() => new WasmTextDetector(bytes)));
  }

  /** Releases the wasm memory now; guards made with it keep their own reference. */
  free() {
    detectorHandles.get(this)?.free();
    detectorHandles.delete(this);
  }
}

/**
 * An image detector (`adversarial` perturbations, or `typographic` images
 * that are mostly rendered text), from the bytes of its model
 * (models/image-*.onnx). Its network runs in the engine module, which
 * `ImageDetector.create()` loads the first time.
 */
const MAKE = Symbol('create');

// A detector whose network runs in the engine module: `Wasm` (the sanitizer
// module's detector class) reads the model's metadata and calls `run`.
async function engineDetector(what, model, Wasm) {
  requireInit();
  const bytes = modelBytes(`${what}.create()`, model);
  const { WasmEngine } = await loadEngine();
  const network = callWasm(() => new WasmEngine(bytes));
  const run = (input, shape) => network.run(input, shape);
  try {
    return callWasm(() => new Wasm(bytes, run));
  } catch (err) {
    network.free();
    throw err;
  }
}

export class ImageDetector {
  constructor(token, handle) {
    if (token !== MAKE) {
      throw new MmguardError('input.type', 'use ImageDetector.create(model) to make an ImageDetector');
    }
    detectorHandles.set(this, handle);
    this.kind = handle.kind();
  }

  static async create(model) {
    return new ImageDetector(MAKE, await engineDetector('ImageDetector', model, WasmImageDetector));
  }

  /** Releases the wasm memory now; guards made with it keep their own reference. */
  free() {
    detectorHandles.get(this)?.free();
    detectorHandles.delete(this);
  }
}

/**
 * The audio detector of adversarial perturbations, from the bytes of
 * models/audio-adversarial.onnx; its network runs in the engine module.
 */
export class AudioDetector {
  constructor(token, handle) {
    if (token !== MAKE) {
      throw new MmguardError('input.type', 'use AudioDetector.create(model) to make an AudioDetector');
    }
    detectorHandles.set(this, handle);
  }

  static async create(model) {
    return new AudioDetector(MAKE, await engineDetector('AudioDetector', model, WasmAudioDetector));
  }

  /** Releases the wasm memory now; guards made with it keep their own reference. */
  free() {
    detectorHandles.get(this)?.free();
    detectorHandles.delete(this);
  }
}

// The detectors that run in the engine module, which Guard.create() loads at
// the first call of their guard method: the policy's name, the option's name,
// the model file, the class, and the WasmGuard setter.
const ENGINE_DETECTORS = {
  adversarial: { policy: 'image_adversarial', option: 'imageAdversarial', file: 'image-adversarial.onnx', method: 'image', Class: ImageDetector, set: 'setImageDetector' },
  typographic: { policy: 'image_typographic', option: 'imageTypographic', file: 'image-typographic.onnx', method: 'image', Class: ImageDetector, set: 'setImageDetector' },
  audio: { policy: 'audio', option: 'audio', file: 'audio-adversarial.onnx', method: 'audio', Class: AudioDetector, set: 'setAudioDetector' },
};

// The package's engine detectors, loaded once each.
function packageEngineDetector(kind) {
  const { file, policy, Class } = ENGINE_DETECTORS[kind];
  if (!modelLoader) {
    return Promise.reject(new MmguardError(
      'detector.unavailable',
      `this runtime cannot read the package's model files (${file}): pass a ${Class.name} in options.detectors, ` +
        `or set the policy's detectors.${policy}.action to "allow"`,
    ));
  }
  return loadOnce(`model:${kind}`, async () => Class.create(await unavailableUnless(file, () => modelLoader(file))));
}

// The package's text detector, loaded once per process or page.
function packageTextDetector() {
  if (!modelLoader) {
    return Promise.reject(new MmguardError(
      'detector.unavailable',
      'this runtime cannot read the package\'s model files: import mmguard/models/text-injection.onnx ' +
        '(as a Data module on workerd) and pass it as options.detectors.text, ' +
        'or set the policy\'s detectors.text.action to "allow"',
    ));
  }
  return loadOnce('text', async () => {
    const bytes = await unavailableUnless("the text detector's model", () => modelLoader('text-injection.onnx'));
    return new TextDetector(bytes);
  });
}

function textDetectorOption(detectors) {
  const text = detectors?.text;
  if (text === undefined || text === null) return null;
  if (text instanceof TextDetector) return text;
  return new TextDetector(modelBytes('options.detectors.text', text));
}

function setDetector(inner, detector, what) {
  const handle = detectorHandles.get(detector);
  if (!handle) throw new MmguardError('detector.freed', `this ${what} was freed; create a new one`);
  return handle;
}

/** Sanitizes text, images and recordings according to one policy. Reuse a Guard: parsing the policy happens once. */
export class Guard {
  #inner;
  // Engine detectors Guard.create() loads at the first call that needs them.
  #pending = [];

  /**
   * `options.detectors.text` (a TextDetector, or the model's bytes) scores
   * texts as well; `Guard.create()` loads the package's models itself.
   */
  constructor(policy = null, options = {}) {
    requireInit();
    if (options === null || typeof options !== 'object') {
      throw new MmguardError('input.type', `new Guard()'s options must be an object, got ${describe(options)}`);
    }
    const inner = callWasm(() => new WasmGuard(policy ?? null));
    try {
      const text = textDetectorOption(options.detectors);
      if (text) {
        const handle = setDetector(inner, text, 'TextDetector');
        callWasm(() => inner.setTextDetector(handle));
      }
      for (const [kind, { option, Class, set }] of Object.entries(ENGINE_DETECTORS)) {
        const d = options.detectors?.[option];
        if (d === undefined || d === null) continue;
        if (!(d instanceof Class) || (Class === ImageDetector && d.kind !== kind)) {
          const which = Class === ImageDetector ? ` of kind ${kind}` : '';
          throw new MmguardError('input.type', `options.detectors.${option} must be a ${Class.name}${which}, got ${describe(d)}`);
        }
        const handle = setDetector(inner, d, Class.name);
        callWasm(() => inner[set](handle));
      }
    } catch (err) {
      inner.free();
      throw err;
    }
    this.#inner = inner;
  }

  /**
   * A Guard with the detectors its policy enables, loaded from the package
   * (once per process or page) unless `options.detectors` gives them; `null`
   * for a detector leaves it out.
   */
  static async create(policy = null, options = {}) {
    requireInit();
    const detectors = { ...(options?.detectors ?? {}) };
    const enabled = (name) => policy?.detectors?.[name]?.action !== 'allow';
    if (detectors.text === undefined && enabled('text')) {
      detectors.text = await packageTextDetector();
    }
    const guard = new Guard(policy, { ...options, detectors });
    // The image and audio detectors and their engine module (about 2 MB) are
    // loaded when the first image or recording is checked, not before.
    guard.#pending = Object.entries(ENGINE_DETECTORS)
      .filter(([, d]) => detectors[d.option] === undefined && enabled(d.policy))
      .map(([kind]) => kind);
    return guard;
  }

  async #loadPending(method) {
    const kinds = this.#pending.filter((k) => ENGINE_DETECTORS[k].method === method);
    if (kinds.length === 0) return;
    const loaded = await Promise.all(kinds.map(packageEngineDetector));
    const inner = this.#live();
    kinds.forEach((kind, i) => {
      const { Class, set } = ENGINE_DETECTORS[kind];
      const handle = setDetector(inner, loaded[i], Class.name);
      callWasm(() => inner[set](handle));
    });
    this.#pending = this.#pending.filter((k) => !kinds.includes(k));
  }

  text(input) {
    // Checked here, because wasm-bindgen would coerce or throw a TypeError
    // without a code for a non-string.
    if (typeof input !== 'string') {
      throw new MmguardError('input.type', `text() takes a string, got ${describe(input)}`);
    }
    const out = callWasm(() => this.#live().text(input));
    // A modified text comes back as splices of the input: triples (start,
    // end, length) in UTF-16 units, each range replaced by the next `length`
    // units of `replacements`. Slicing the string already here is far cheaper
    // than decoding the whole output from wasm memory.
    if (out.splices) {
      const s = out.splices;
      const r = out.replacements;
      let text = '';
      let at = 0;
      let taken = 0;
      for (let k = 0; k < s.length; k += 3) {
        text += input.slice(at, s[k]) + r.slice(taken, taken + s[k + 2]);
        at = s[k + 1];
        taken += s[k + 2];
      }
      return { text: text + input.slice(at), report: out.report };
    }
    // The contract is `null` when blocked; a None may cross as undefined.
    return { text: out.text ?? null, report: out.report };
  }

  /**
   * Sanitizes an image (PNG, JPEG, GIF, WebP, BMP). `input` is a Uint8Array,
   * an ArrayBuffer or a Blob (a File from an <input type=file>); `options.type`
   * is the declared type to compare with the bytes (a MIME type or a file
   * name), taken from a File's name or a Blob's type when not given. Resolves
   * to { bytes, mimeType, width, height, report }, bytes null when blocked.
   */
  async image(input, options = {}) {
    const { bytes, declared } = await fileInput('image', input, options);
    await this.#loadPending('image');
    const out = callWasm(() => this.#live().image(bytes, declared));
    if (!out.bytes) return { bytes: null, mimeType: null, width: null, height: null, report: out.report };
    return { bytes: out.bytes, mimeType: out.mimeType, width: out.width, height: out.height, report: out.report };
  }

  /**
   * Sanitizes a recording (WAV). Takes what `image()` takes, and
   * `options.onProgress(share)`, called with the share done (0 to 1, at most
   * about a hundred times, the last with 1) while the recording is worked
   * through a block at a time; an exception it throws rejects the promise.
   * Resolves to { bytes, mimeType: 'audio/wav', sampleRate, channels,
   * duration, report }, bytes null when blocked.
   */
  async audio(input, options = {}) {
    const onProgress = options?.onProgress;
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      throw new MmguardError('input.type', `options.onProgress must be a function, got ${describe(onProgress)}`);
    }
    const { bytes, declared } = await fileInput('audio', input, options);
    await this.#loadPending('audio');
    // The caller's exception is kept as it is, not turned into an MmguardError.
    let failure = null;
    const progress = onProgress && ((share) => {
      if (failure) return;
      try {
        onProgress(share);
      } catch (err) {
        failure = { err };
      }
    });
    const out = callWasm(() => this.#live().audio(bytes, declared, progress));
    if (failure) throw failure.err;
    if (!out.bytes) {
      return { bytes: null, mimeType: null, sampleRate: null, channels: null, duration: null, report: out.report };
    }
    return {
      bytes: out.bytes,
      mimeType: 'audio/wav',
      sampleRate: out.sampleRate,
      channels: out.channels,
      duration: out.duration,
      report: out.report,
    };
  }

  policy() {
    return callWasm(() => this.#live().policy());
  }

  /** Releases the wasm memory now instead of waiting for garbage collection. Safe to call twice. */
  free() {
    this.#inner?.free();
    this.#inner = undefined;
  }

  #live() {
    if (!this.#inner) {
      throw new MmguardError('guard.freed', 'this Guard was freed; create a new one');
    }
    return this.#inner;
  }
}

/** The effective default policy, every field filled in. */
export function defaultPolicy() {
  requireInit();
  return callWasm(() => wasmDefaultPolicy());
}

/** The version of the mmguard crate inside the wasm module. */
export function version() {
  requireInit();
  return callWasm(() => wasmVersion());
}
