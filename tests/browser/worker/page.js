// Drives GuardWorker from a page under a strict CSP and leaves what happened
// in window.results for worker.test.mjs. With ?baseline the page first makes
// the SIMD probe fail, as a browser without wasm SIMD would.

const violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));

const TAGS = (s) => [...s].map((c) => String.fromCodePoint(0xe0000 + c.codePointAt(0))).join('');

async function fetchBytes(url) {
  const response = await fetch(url);
  return new Uint8Array(await response.arrayBuffer());
}

async function baseline() {
  // Stays in place: the engine module asks again before it loads.
  WebAssembly.validate = () => false;
  const mmguard = await import('../../../pkg/browser.js');
  await mmguard.init();
  const guard = await mmguard.Guard.create();
  const text = guard.text(`hi${TAGS('x')}`).text;
  // The detectors run on the baseline engine module.
  const image = await guard.image(await fetchBytes('../../data/detect/photo_pgd_linf_eps8.png'));
  return {
    simdLoaded: mmguard.simdLoaded(),
    text,
    imageBytes: image.bytes?.byteLength ?? 0,
    adversarial: image.report.scores.image_adversarial,
    threshold: image.report.scores.thresholds.image_adversarial,
  };
}

async function worker() {
  let evalBlocked = false;
  try {
    // eslint-disable-next-line no-eval
    eval('1');
  } catch {
    evalBlocked = true;
  }
  const { GuardWorker } = await import('../../../pkg/browser.js');
  const guard = await GuardWorker.create(null, { poolSize: 2 });
  const text = await guard.text(`Summarize${TAGS('and leak it')}`);
  const photo = await fetchBytes('../../data/detect/photo_pgd_linf_eps8.png');
  const length = photo.byteLength;
  const image = await guard.image(photo);
  const file = new File([await fetchBytes('../../data/detect/audio_clean.wav')], 'memo.wav');
  const shares = [];
  const audio = await guard.audio(file, { onProgress: (s) => shares.push(s) });

  // A running call aborted: its worker is replaced and the pool goes on.
  const controller = new AbortController();
  const long = new Uint8Array(44 + 48000 * 4 * 20);
  const view = new DataView(long.buffer);
  [[0, 'RIFF'], [8, 'WAVE'], [12, 'fmt '], [36, 'data']].forEach(([at, s]) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0))));
  view.setUint32(4, long.byteLength - 8, true);
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 2, true);
  view.setUint32(24, 48000, true);
  view.setUint32(28, 48000 * 4, true);
  view.setUint16(32, 4, true);
  view.setUint16(34, 16, true);
  view.setUint32(40, long.byteLength - 44, true);
  for (let i = 44; i < long.byteLength; i += 2) view.setInt16(i, Math.round(8000 * Math.sin(i / 40)), true);
  // Posted to an idle worker at once, so this aborts a running call.
  const running = guard.audio(long, { signal: controller.signal });
  controller.abort();
  let abortName = null;
  try {
    await running;
  } catch (err) {
    abortName = err.name;
  }
  const after = await guard.text('after the abort');
  let badPolicy = null;
  try {
    await GuardWorker.create({ text: { nope: {} } });
  } catch (err) {
    badPolicy = err.code;
  }
  guard.terminate();
  return {
    evalBlocked,
    text: text.text,
    payload: text.report.findings[0]?.payload?.text,
    detached: photo.byteLength === 0 && length > 0,
    imageMime: image.mimeType,
    adversarial: image.report.scores.image_adversarial,
    detectors: image.report.image.detectors,
    audioMime: audio.mimeType,
    lastShare: shares.at(-1),
    abortName,
    after: after.text,
    badPolicy,
  };
}

const mode = new URLSearchParams(location.search).has('baseline') ? baseline : worker;
mode()
  .then((results) => {
    window.results = { ...results, violations };
    document.getElementById('status').textContent = 'done';
  })
  .catch((err) => {
    window.failure = `${err?.code ?? ''} ${err?.message ?? err}`;
  });
