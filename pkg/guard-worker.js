// GuardWorker: the Guard API with the work done off the calling thread, in a
// pool of workers that each hold their own wasm module and Guard. The entry
// points (browser.js, node.js) say how a worker is started; everything else,
// the queue, transfers, progress, cancellation and worker replacement, is here.

import { MmguardError, checkDeclaredType, describe, notAFile } from './core.js';

// How the entry point starts one worker: a function returning
// { post(msg, transfer), onMessage(fn), onFailure(fn), terminate() }.
let spawner = null;

/** Used by the entry points only; not part of the public API. */
export function setWorkerSpawner(spawn) {
  spawner = spawn;
}

const MAX_POOL = 16;

function abortReason(signal) {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

// A buffer given to (transferred by) an earlier call is detached: empty, and
// refused by typed-array constructors.
function detached(buffer) {
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  if (buffer.byteLength > 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

// What goes to the worker for a file input, and what to transfer: a Blob is
// sent by reference (the worker reads it), an ArrayBuffer or a whole-buffer
// Uint8Array is transferred unless options.transfer is false, anything else
// is copied once.
function fileMessage(method, input, options) {
  let declared = options?.type;
  let payload;
  let transfer = [];
  const move = options?.transfer !== false;
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    declared ??= input.name || input.type || undefined;
    payload = input;
  } else if ((input instanceof ArrayBuffer || input instanceof Uint8Array) && detached(input.buffer ?? input)) {
    throw new MmguardError(
      'input.type',
      `${method}() was given a detached buffer: an earlier call transferred it to a worker (pass { transfer: false } to keep it)`,
    );
  } else if (input instanceof ArrayBuffer) {
    payload = move ? input : input.slice(0);
    transfer = [payload];
  } else if (input instanceof Uint8Array) {
    const whole = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength;
    payload = move && whole && input.buffer instanceof ArrayBuffer ? input : input.slice();
    transfer = [payload.buffer];
  } else {
    throw notAFile(method, input);
  }
  checkDeclaredType(declared);
  return { message: { op: method, input: payload, type: declared }, transfer };
}

function checkSignal(signal) {
  if (signal !== undefined && !(typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal)) {
    throw new MmguardError('input.type', `options.signal must be an AbortSignal, got ${describe(signal)}`);
  }
}

// One worker of the pool: its handle, and the job it runs (null when idle).
class Slot {
  constructor(handle) {
    this.handle = handle;
    this.job = null;
  }
}

/**
 * Sanitizes text, images and recordings like a Guard, in a pool of workers
 * (module Web Workers in browsers, worker_threads in Node), so the calling
 * thread stays responsive. Every method returns a promise.
 */
export class GuardWorker {
  #policy;
  #simd;
  #slots = [];
  #queue = [];
  #nextId = 1;
  #closed = false;
  // Workers being started (their Guard not made yet).
  #starting = 0;

  constructor(token) {
    if (token !== GuardWorker.#token) {
      throw new MmguardError('input.type', 'use GuardWorker.create(policy, options) to make a GuardWorker');
    }
  }

  static #token = Symbol('GuardWorker');

  /**
   * Starts `options.poolSize` workers (1 by default, at most 16), each with a
   * Guard made by `Guard.create(policy)`. Rejects with the Guard's own
   * MmguardError for a bad policy. `options.simd` forces the SIMD (true) or
   * the baseline (false) wasm module; by default the runtime is asked.
   */
  static async create(policy = null, options = {}) {
    if (options === null || typeof options !== 'object') {
      throw new MmguardError('input.type', `GuardWorker.create()'s options must be an object, got ${describe(options)}`);
    }
    const { poolSize = 1, simd } = options;
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > MAX_POOL) {
      throw new MmguardError('input.type', `options.poolSize must be an integer from 1 to ${MAX_POOL}, got ${String(poolSize)}`);
    }
    if (simd !== undefined && typeof simd !== 'boolean') {
      throw new MmguardError('input.type', `options.simd must be a boolean, got ${describe(simd)}`);
    }
    if (!spawner) {
      throw new MmguardError('worker.unavailable', 'this runtime cannot start workers; use Guard instead');
    }
    const guard = new GuardWorker(GuardWorker.#token);
    guard.#policy = policy;
    guard.#simd = simd;
    try {
      const versions = await Promise.all(Array.from({ length: poolSize }, () => guard.#start()));
      guard.version = versions[0];
    } catch (err) {
      guard.terminate();
      throw err;
    }
    return guard;
  }

  /** The version of the mmguard crate inside the workers' wasm module. */
  version = '';

  /** Sanitizes a text: resolves to { text, report }, text null when blocked. */
  text(input, options = {}) {
    if (typeof input !== 'string') {
      return Promise.reject(new MmguardError('input.type', `text() takes a string, got ${describe(input)}`));
    }
    return this.#submit({ op: 'text', input }, [], options);
  }

  /**
   * Sanitizes an image; takes what Guard.image takes, plus `options.signal`
   * (an AbortSignal) and `options.transfer` (false to copy an ArrayBuffer or
   * Uint8Array instead of moving it to the worker, which detaches it here).
   */
  image(input, options = {}) {
    return this.#fileJob('image', input, options);
  }

  /** Sanitizes a recording; as `image()`, plus `options.onProgress(share)`. */
  audio(input, options = {}) {
    const onProgress = options?.onProgress;
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      return Promise.reject(new MmguardError('input.type', `options.onProgress must be a function, got ${describe(onProgress)}`));
    }
    return this.#fileJob('audio', input, options);
  }

  /** The effective policy, every field filled in. */
  policy() {
    return this.#submit({ op: 'policy' }, [], {});
  }

  /** Stops every worker; pending calls reject with `guard.terminated`. Safe to call twice. */
  terminate() {
    this.#closed = true;
    const gone = new MmguardError('guard.terminated', 'this GuardWorker was terminated');
    for (const job of this.#queue.splice(0)) job.reject(gone);
    for (const slot of this.#slots.splice(0)) {
      slot.job?.reject(gone);
      slot.handle.terminate();
    }
  }

  /** The same as `terminate()`, for code written against Guard. */
  free() {
    this.terminate();
  }

  #fileJob(method, input, options) {
    try {
      if (options === null || typeof options !== 'object') {
        throw new MmguardError('input.type', `${method}()'s options must be an object, got ${describe(options)}`);
      }
      checkSignal(options.signal);
      // An aborted call must not detach the caller's buffer.
      if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
      const { message, transfer } = fileMessage(method, input, options);
      message.progress = typeof options.onProgress === 'function';
      return this.#submit(message, transfer, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // Queues one request; a free worker takes it in order of arrival.
  #submit(message, transfer, options) {
    if (this.#closed) return Promise.reject(new MmguardError('guard.terminated', 'this GuardWorker was terminated'));
    try {
      checkSignal(options?.signal);
    } catch (err) {
      return Promise.reject(err);
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#slots.length === 0 && this.#starting === 0) {
      return Promise.reject(new MmguardError('worker.failed', 'no worker of this GuardWorker could be restarted; create a new one'));
    }
    return new Promise((resolve, reject) => {
      const job = { message: { ...message, id: this.#nextId++ }, transfer, onProgress: options?.onProgress, slot: null };
      const settle = (fn) => (value) => {
        signal?.removeEventListener('abort', onAbort);
        fn(value);
      };
      job.resolve = settle(resolve);
      job.reject = settle(reject);
      const onAbort = () => this.#cancel(job, abortReason(signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  // Hands queued jobs to idle workers.
  #pump() {
    for (const slot of this.#slots) {
      while (!slot.job && this.#queue.length > 0) {
        const job = this.#queue.shift();
        try {
          // Node drops a message whose transfer list holds a detached buffer
          // without a word (browsers throw): another queued call may have
          // taken the same buffer first.
          if (job.transfer.some(detached)) throw new Error('its buffer was transferred by an earlier call');
          slot.handle.post(job.message, job.transfer);
        } catch (err) {
          // A message the structured clone refuses (a SharedArrayBuffer view,
          // a buffer detached meanwhile): this call fails, the worker stays
          // free for the next one.
          job.reject(new MmguardError('input.type', `the input could not be sent to the worker: ${err?.message ?? err}`, { cause: err }));
          continue;
        }
        slot.job = job;
        job.slot = slot;
      }
    }
  }

  // A queued job leaves the queue; a running one can only be stopped with
  // its worker, which a fresh one replaces.
  #cancel(job, reason) {
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      job.reject(reason);
      return;
    }
    if (job.slot?.job === job) {
      this.#replace(job.slot);
      job.reject(reason);
    }
  }

  #replace(slot) {
    // Once per worker: an abort and a failing progress callback may both ask.
    if (this.#closed || !this.#slots.includes(slot)) {
      slot.job = null;
      return;
    }
    slot.handle.terminate();
    slot.job = null;
    const at = this.#slots.indexOf(slot);
    if (at >= 0) this.#slots.splice(at, 1);
    // A replacement that fails to start leaves the pool smaller; the last
    // worker's failure is reported to the calls still waiting.
    this.#start().catch((err) => {
      if (this.#slots.length === 0 && this.#starting === 0) {
        for (const job of this.#queue.splice(0)) job.reject(err);
      }
    });
  }

  // Starts one worker and makes its Guard; resolves to the wasm's version
  // once it joins the pool.
  #start() {
    this.#starting++;
    const started = new Promise((resolve, reject) => {
      let handle;
      try {
        handle = spawner();
      } catch (err) {
        reject(new MmguardError('worker.failed', `a worker could not be started: ${err?.message ?? err}`, { cause: err }));
        return;
      }
      const slot = new Slot(handle);
      const createId = this.#nextId++;
      let ready = false;
      handle.onMessage((msg) => {
        if (!ready) {
          if (msg?.id !== createId) return;
          if (!msg.ok) {
            handle.terminate();
            reject(new MmguardError(msg.error.code, msg.error.message));
            return;
          }
          ready = true;
          if (this.#closed) {
            handle.terminate();
            reject(new MmguardError('guard.terminated', 'this GuardWorker was terminated'));
            return;
          }
          this.#slots.push(slot);
          resolve(msg.value.version);
          this.#pump();
          return;
        }
        this.#answer(slot, msg);
      });
      handle.onFailure((err) => {
        const failure = new MmguardError('worker.failed', `a worker stopped unexpectedly: ${err?.message ?? String(err)}`, { cause: err });
        if (!ready) {
          handle.terminate();
          reject(failure);
          return;
        }
        const job = slot.job;
        if (this.#slots.includes(slot)) this.#replace(slot);
        job?.reject(failure);
      });
      try {
        handle.post({ id: createId, op: 'create', policy: this.#policy, simd: this.#simd }, []);
      } catch (err) {
        // A policy the structured clone refuses (it holds a function, say).
        handle.terminate();
        reject(new MmguardError('policy.json', `the policy could not be sent to the worker: ${err?.message ?? err}`, { cause: err }));
      }
    });
    const done = () => {
      this.#starting--;
    };
    started.then(done, done);
    return started;
  }

  #answer(slot, msg) {
    const job = slot.job;
    if (!job || msg?.id !== job.message.id) return;
    if ('progress' in msg) {
      try {
        job.onProgress?.(msg.progress);
      } catch (err) {
        // As with Guard.audio: the callback's exception rejects the call.
        this.#replace(slot);
        job.reject(err);
      }
      return;
    }
    slot.job = null;
    if (msg.ok) job.resolve(msg.value);
    else job.reject(new MmguardError(msg.error.code, msg.error.message));
    this.#pump();
  }
}
