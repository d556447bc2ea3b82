// The one module through which the demo reaches mmguard: every guard call of
// every tab goes through a GuardClient made here, so where the guard runs is
// decided in one place. With the package's GuardWorker the guard runs in a
// module Web Worker and the page stays responsive however long a call takes;
// without it (an older build) the same calls run on the main thread.
//
// The client also measures what the page can time from outside the guard:
// loading the WebAssembly module, creating a guard (its policy and the text
// detector's model), loading the image and audio detectors (their first call),
// and each call. The guard itself returns no per-step timings.

const ENTRY = new URL('../pkg/browser.js', import.meta.url).href;

// The one line that picks where the guard runs: in a Web Worker when the
// package exports GuardWorker, else on the main thread.
const pickEngine = (mmguard) => mmguard.GuardWorker ?? mmguard.Guard;

let loading = null;

/**
 * Loads the package's browser entry once: `{ mmguard, Engine, runs, moduleMs }`,
 * `runs` being 'worker' or 'main-thread'. On the main thread the WebAssembly
 * module is instantiated here; a worker instantiates its own.
 */
export function loadMmguard() {
  loading ??= (async () => {
    const started = performance.now();
    const mmguard = await import(ENTRY);
    const Engine = pickEngine(mmguard);
    const runs = Engine === mmguard.Guard ? 'main-thread' : 'worker';
    if (runs === 'main-thread') await mmguard.init();
    return { mmguard, Engine, runs, moduleMs: performance.now() - started };
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** The smallest inputs that make a guard load its image or audio detectors. */
async function warmUpInput(kind) {
  if (kind === 'image') {
    const canvas = new OffscreenCanvas(8, 8);
    canvas.getContext('2d').fillRect(0, 0, 8, 8);
    return new File([await canvas.convertToBlob({ type: 'image/png' })], 'warm-up.png', { type: 'image/png' });
  }
  // A tenth of a second of silence, 16-bit mono at 16 kHz: a 44-byte header and the samples.
  const frames = 1600;
  const bytes = new Uint8Array(44 + frames * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + frames * 2, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, 16000, true);
  view.setUint32(28, 32000, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, frames * 2, true);
  return new File([bytes], 'warm-up.wav', { type: 'audio/wav' });
}

/** Rejects with `signal.reason` when the signal was aborted (a main-thread call cannot be stopped midway). */
function throwIfAborted(signal) {
  if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
}

/** A guard for one policy, wherever it runs; every method returns a promise. */
export class GuardClient {
  #guard;
  #warm = new Map();
  #policy = null;

  constructor(guard, { runs, moduleMs, createMs }) {
    this.#guard = guard;
    /** 'worker' or 'main-thread'. */
    this.runs = runs;
    /** Milliseconds: loading the module (once per page), creating this guard. */
    this.startup = { moduleMs, createMs };
  }

  /**
   * A guard for `policy` (a partial policy, or null for the default). Rejects
   * with the guard's MmguardError for a policy it refuses (policy.json,
   * policy.invalid), or init.failed when the module cannot be loaded.
   */
  static async create(policy) {
    const { Engine, runs, moduleMs } = await loadMmguard();
    const started = performance.now();
    const guard = runs === 'worker' ? await Engine.create(policy, { poolSize: 1 }) : await Engine.create(policy);
    return new GuardClient(guard, { runs, moduleMs, createMs: performance.now() - started });
  }

  async text(input, { signal } = {}) {
    throwIfAborted(signal);
    const result = this.runs === 'worker' ? await this.#guard.text(input, { signal }) : this.#guard.text(input);
    throwIfAborted(signal);
    return result;
  }

  async image(file, { signal, type } = {}) {
    throwIfAborted(signal);
    const result = await this.#guard.image(file, { signal, type });
    throwIfAborted(signal);
    return result;
  }

  async audio(file, { signal, type, onProgress } = {}) {
    throwIfAborted(signal);
    const result = await this.#guard.audio(file, { signal, type, onProgress });
    throwIfAborted(signal);
    return result;
  }

  /** The effective policy, every default filled in (asked once: it never changes). */
  policy() {
    if (!this.#policy) {
      // Asked through then(), so a main-thread Guard's throw becomes a
      // rejection too; a failure is forgotten, so the next call asks again.
      const asked = Promise.resolve().then(() => this.#guard.policy());
      this.#policy = asked;
      asked.catch(() => {
        if (this.#policy === asked) this.#policy = null;
      });
    }
    return this.#policy;
  }

  /**
   * Makes the guard load the detectors `kind` ('image' or 'audio') needs, by
   * checking a tiny input once; resolves to the milliseconds that took the
   * first time, and to null once they are loaded. The tiny check itself is
   * not aborted with `signal`: a later check would only have to start it again.
   */
  async warm(kind, { signal } = {}) {
    let first = false;
    if (!this.#warm.has(kind)) {
      first = true;
      const attempt = (async () => {
        const input = await warmUpInput(kind);
        const started = performance.now();
        await this.#guard[kind](input);
        return performance.now() - started;
      })();
      this.#warm.set(kind, attempt);
      attempt.catch(() => {
        if (this.#warm.get(kind) === attempt) this.#warm.delete(kind);
      });
    }
    const ms = await this.#warm.get(kind);
    throwIfAborted(signal);
    return first ? ms : null;
  }

  /** Stops the worker, or frees the wasm memory; calls in flight reject. */
  close() {
    if (this.runs === 'worker') this.#guard.terminate();
    else this.#guard.free();
  }
}

/** The mmguard version, where it can be read without loading a second copy of the module. */
export async function mmguardVersion() {
  const { mmguard, runs } = await loadMmguard();
  if (runs !== 'main-thread') return null;
  try {
    return mmguard.version();
  } catch {
    return null;
  }
}

// The guard the page uses now, for every tab; null until the first is made.
let current = null;

/** The GuardClient in use, or null while the first one is made. */
export const currentGuard = () => current;

/** Makes `client` the one in use; returns the one it replaces. */
export function useGuard(client) {
  const previous = current;
  current = client;
  return previous;
}
