// What runs inside a GuardWorker's thread (a module Web Worker in browsers,
// a worker_threads Worker in Node): one Guard, and a loop that answers the
// page's requests with it. worker.js and node-worker.js only say how
// messages come and go. The protocol is private to the package:
//
//   in:  { id, op: 'create', policy, simd }   → { version }
//        { id, op: 'text', input }            → { text, report }
//        { id, op: 'image' | 'audio', input, type, progress }
//        { id, op: 'policy' }
//   out: { id, ok: true, value }, the output bytes' buffer transferred
//        { id, ok: false, error: { code, message } }
//        { id, progress }                     (audio, when asked)

/**
 * Answers requests arriving through `listen` with `post`. `api` is the entry
 * point's module (init, Guard, MmguardError, version).
 */
export function serve({ post, listen, api }) {
  let guard = null;

  const run = {
    async create(msg) {
      await api.init(undefined, msg.simd === undefined ? undefined : { simd: msg.simd });
      guard?.free();
      guard = await api.Guard.create(msg.policy ?? null);
      return { version: api.version() };
    },
    text: (msg) => live().text(msg.input),
    image: (msg) => live().image(msg.input, { type: msg.type }),
    audio: (msg) =>
      live().audio(msg.input, {
        type: msg.type,
        onProgress: msg.progress ? (share) => post({ id: msg.id, progress: share }) : undefined,
      }),
    policy: () => live().policy(),
  };

  function live() {
    if (!guard) throw new api.MmguardError('worker.protocol', 'the worker has no guard yet');
    return guard;
  }

  listen(async (msg) => {
    const id = msg?.id;
    try {
      const op = Object.hasOwn(run, msg?.op) ? run[msg.op] : null;
      if (!op) throw new api.MmguardError('worker.protocol', `unknown request ${String(msg?.op)}`);
      const value = await op(msg);
      // The output file moves to the page without a copy.
      const transfer = value?.bytes instanceof Uint8Array ? [value.bytes.buffer] : [];
      post({ id, ok: true, value }, transfer);
    } catch (err) {
      const code = typeof err?.code === 'string' ? err.code : 'internal.worker';
      const message = err instanceof Error ? err.message : String(err);
      post({ id, ok: false, error: { code, message } });
    }
  });
}
