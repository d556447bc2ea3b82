// The npm package's browser entry in real headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core; no browser download). Serves
// the repository root on a free 127.0.0.1 port, opens page.html, which runs
// the package and publishes its results on window, and asserts on them here.
//
//   node --test tests/browser/*.test.mjs

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openBrowser } from '../../tools/chromium.mjs';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let browser;
let results;
let pageErrors = [];

before(async () => {
  browser = await openBrowser(REPO_ROOT);
  const { page } = browser;
  pageErrors = browser.errors;
  await page.goto(`${browser.base}tests/browser/page.html`);
  await page.waitForFunction(() => window.results || window.failure, null, { timeout: 60_000 });
  const failure = await page.evaluate(() => window.failure);
  assert.equal(failure, undefined, `the page failed: ${failure}\n${pageErrors.join('\n')}`);
  results = await page.evaluate(() => window.results);
}, { timeout: 120_000 });

after(async () => {
  await browser?.close();
});

test('the browser has wasm SIMD', () => {
  assert.equal(results.simd, true);
  assert.equal(results.truncatedValidates, false);
});

test('the page loaded without errors or warnings', () => {
  assert.deepEqual(pageErrors, []);
});

test('using the API before init() throws init.required', () => {
  assert.equal(results.beforeInit?.code, 'init.required');
  assert.equal(results.beforeInit.isMmguardError, true);
});

test('Trojan Source is found at UTF-16 offsets and removed', () => {
  const { input, text, report } = results.trojan;
  const positions = [...input.matchAll(/[\u202A-\u202E\u2066-\u2069]/g)].map((m) => m.index);
  // One finding per kind of control (label), so gather the spans of all of them.
  const spans = report.findings
    .filter((f) => f.code === 'text.bidi_control')
    .flatMap((f) => f.spans)
    .sort((a, b) => a.start - b.start);
  assert.deepEqual(spans.map((s) => [s.start, s.end]), positions.map((i) => [i, i + 1]));
  assert.equal(text, input.replace(/[\u202A-\u202E\u2066-\u2069]/g, ''));
  assert.equal(report.verdict, 'modified');
});

test('ASCII smuggled in tag characters is decoded and removed', () => {
  const { input, visible, hidden, text, report } = results.smuggled;
  const finding = report.findings.find((f) => f.code === 'text.tag_smuggling');
  assert.ok(finding, JSON.stringify(report.findings.map((f) => f.code)));
  assert.equal(finding.payload.text, hidden);
  assert.deepEqual(finding.payload.encodings, ['tag_characters']);
  assert.deepEqual(finding.spans.map((s) => [s.start, s.end]), [[visible.length, input.length]]);
  assert.equal(text, visible);
});

test('a block policy blocks', () => {
  assert.equal(results.blocked.text, null);
  assert.equal(results.blocked.report.verdict, 'blocked');
});

test('a bad policy throws an MmguardError with code policy.json', () => {
  assert.deepEqual(
    { code: results.badPolicy?.code, name: results.badPolicy?.name, isMmguardError: results.badPolicy?.isMmguardError, isError: results.badPolicy?.isError },
    { code: 'policy.json', name: 'MmguardError', isMmguardError: true, isError: true },
  );
  assert.equal(results.badInput?.code, 'input.type');
});

test('an uploaded image is sanitized and its output decodes in the browser', () => {
  const img = results.image;
  for (const c of ['image.polyglot', 'image.trailing_data', 'image.format_mismatch']) {
    assert.ok(img.codes.includes(c), `${c} in ${img.codes}`);
  }
  assert.equal(img.verdict, 'modified');
  assert.deepEqual(img.size, [320, 200]);
  assert.deepEqual(img.decoded, img.size);
  assert.match(img.mimeType, /^image\/(png|jpeg)$/);
  assert.equal(img.endsWithZip, false);
  assert.deepEqual(results.badImage, { code: 'unsupported.image_format', isMmguardError: true });
});

test('an uploaded recording is sanitized and its output decodes in the browser', () => {
  const a = results.audio;
  for (const c of ['audio.polyglot', 'audio.trailing_data', 'audio.format_mismatch', 'audio.ultrasonic', 'audio.resampled']) {
    assert.ok(a.codes.includes(c), `${c} in ${a.codes}`);
  }
  assert.equal(a.mimeType, 'audio/wav');
  assert.deepEqual(a.format, [16000, 1]);
  assert.ok(Math.abs(a.duration - 0.5) < 0.01, a.duration);
  assert.deepEqual(a.decoded.slice(0, 2), [16000, 1]);
  assert.ok(Math.abs(a.decoded[2] - 0.5) < 0.01, a.decoded[2]);
  assert.equal(a.endsWithZip, false);
  assert.deepEqual(results.badAudio, { code: 'unsupported.audio_format', isMmguardError: true });
});

test('the version is a semantic version', () => {
  assert.match(results.version, /^\d+\.\d+\.\d+/);
});

test('Guard.create() fetches the text detector once and flags an injection', () => {
  const d = results.detector;
  assert.ok(d.codes.includes('text.injection_score'), JSON.stringify(d));
  assert.ok(d.model > 0.5 && d.combined > 0.5, JSON.stringify(d));
  assert.ok(d.benign < 0.5, JSON.stringify(d));
  assert.equal(d.blocked, 'blocked');
  assert.equal(d.modelFetches, 1, 'the second Guard.create() reuses the loaded model');
});

test('the image detectors load their engine module at the first image and score as in Node', () => {
  const d = results.imageDetectors;
  assert.equal(d.engineBeforeImage, 0, 'nothing of the engine before an image was checked');
  assert.equal(d.engineFetches, 1);
  assert.ok(d.attacked.codes.includes('image.adversarial_score'), JSON.stringify(d.attacked));
  assert.ok(d.rendered.codes.includes('image.typographic'), JSON.stringify(d.rendered));
  assert.ok(!d.attacked.codes.includes('image.typographic'), JSON.stringify(d.attacked));
});
