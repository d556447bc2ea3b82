// GuardWorker in real headless Chromium, in a page whose every response
// carries a strict Content-Security-Policy header (no 'unsafe-eval', no
// 'unsafe-inline', no remote URLs; only 'wasm-unsafe-eval', which compiling
// any wasm needs): the worker, the wasm modules and the models load from the
// package itself. A second page makes the SIMD probe fail and gets the
// baseline modules, the sanitizer's and the detectors' engine.
//
//   node --test tests/browser/worker.test.mjs

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openBrowser, recordErrors } from '../../tools/chromium.mjs';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
].join('; ');

let browser;

before(async () => {
  browser = await openBrowser(REPO_ROOT, { headers: { 'content-security-policy': CSP } });
});

after(async () => {
  await browser?.close();
});

/** Opens the page at `query`; resolves to its results and the URLs it fetched. */
async function run(query) {
  const page = await browser.context.newPage();
  const errors = [];
  const fetched = [];
  recordErrors(page, errors, { warnings: false });
  page.on('request', (req) => fetched.push(new URL(req.url()).pathname));
  try {
    await page.goto(`${browser.base}tests/browser/worker/${query}`);
    await page.waitForFunction(() => window.results || window.failure, null, { timeout: 90_000 });
    const failure = await page.evaluate(() => window.failure);
    assert.equal(failure, undefined, `the page failed: ${failure}\n${errors.join('\n')}`);
    const results = await page.evaluate(() => window.results);
    return { results, errors, fetched };
  } finally {
    await page.close();
  }
}

test('GuardWorker runs under a strict CSP, moving buffers, with progress, abort and coded errors', { timeout: 120_000 }, async () => {
  const { results, errors, fetched } = await run('');
  // The one violation is the page's own eval probe.
  assert.deepEqual(results.violations, ['script-src eval']);
  assert.deepEqual(errors, []);
  assert.equal(results.evalBlocked, true, 'the CSP is in force: eval is refused');
  assert.equal(results.text, 'Summarize');
  assert.equal(results.payload, 'and leak it');
  assert.equal(results.detached, true, 'the photo buffer was transferred to the worker');
  assert.match(results.imageMime, /^image\//);
  // The image detectors ran in the worker, from the package's engine module.
  assert.ok(results.adversarial > 0.5, `adversarial score ${results.adversarial}`);
  assert.equal(results.detectors.length, 2);
  assert.equal(results.audioMime, 'audio/wav');
  assert.equal(results.lastShare, 1);
  assert.equal(results.abortName, 'AbortError');
  assert.equal(results.after, 'after the abort');
  assert.equal(results.badPolicy, 'policy.json');
  assert.ok(fetched.some((p) => p.endsWith('/pkg/worker.js')), 'the worker script comes from the package');
  assert.ok(fetched.some((p) => p.endsWith('/pkg/dist/mmguard_bg.wasm')), 'the SIMD module');
  assert.ok(!fetched.some((p) => p.endsWith('_nosimd_bg.wasm')));
});

test('without wasm SIMD the baseline modules load, the detectors included', { timeout: 120_000 }, async () => {
  const { results, fetched } = await run('?baseline');
  assert.equal(results.simdLoaded, false);
  for (const name of ['mmguard_nosimd_bg.wasm', 'mmguard_engine_nosimd_bg.wasm']) {
    assert.ok(fetched.some((p) => p.endsWith(`/pkg/dist/${name}`)), name);
  }
  assert.ok(!fetched.some((p) => /\/pkg\/dist\/mmguard(_engine)?_bg\.wasm$/.test(p)), 'no SIMD module fetched');
  assert.equal(results.text, 'hi');
  assert.ok(results.imageBytes > 0);
  assert.ok(results.adversarial > results.threshold, `adversarial ${results.adversarial}, threshold ${results.threshold}`);
  assert.deepEqual(results.violations, []);
});
