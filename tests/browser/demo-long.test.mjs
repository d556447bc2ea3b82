// The demo page's long jobs in real headless Chromium: a 12-megapixel photo
// and a 5-minute recording, dropped on the page's one drop zone as a person
// would. With the guard in a Web Worker the page must keep painting while
// the photo is processed (a requestAnimationFrame probe: no gap between
// frames over 500 ms, the one timing bound of the demo's tests, generous on
// purpose for a loaded machine) and a Cancel must stop it; the recording's
// progress bar must move through the guard's onProgress. Same set-up as
// demo.test.mjs.
//
//   node --test tests/browser/demo-long.test.mjs

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openDemo } from './demo-page.mjs';


let browser;
let page;
let runs;
let pageErrors = [];

before(async () => {
  browser = await openDemo();
  ({ page, errors: pageErrors } = browser);
  runs = await page.evaluate(() => document.documentElement.dataset.guard);
}, { timeout: 120_000 });

after(async () => {
  await browser?.close();
});

/** Waits until the tab `kind` (image, audio) has finished with `fileName`; returns its status. */
async function finished(kind, fileName) {
  await page.waitForFunction(
    ([k, name]) => {
      const section = document.getElementById(`${k}-result`);
      return section.dataset.file === name && section.dataset.status !== 'processing';
    },
    [kind, fileName],
    { timeout: 120_000 },
  );
  return page.evaluate((k) => document.getElementById(`${k}-result`).dataset.status, kind);
}

/**
 * Makes the sample `id` of `kind` in the page (before any probe runs: making
 * it is not the guard's work) and keeps it on window.__sample.
 */
function makeSample(kind, id) {
  return page.evaluate(
    async ([k, sampleId]) => {
      const { IMAGE_SAMPLES } = await import('/www/image.js');
      const { AUDIO_SAMPLES } = await import('/www/audio.js');
      const samples = k === 'image' ? IMAGE_SAMPLES : AUDIO_SAMPLES;
      window.__sample = await samples.find((s) => s.id === sampleId).make();
      return { name: window.__sample.name, size: window.__sample.size };
    },
    [kind, id],
  );
}

/** Drops window.__sample on the drop zone. */
async function dropSample() {
  const dataTransfer = await page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(window.__sample);
    return transfer;
  });
  await page.dispatchEvent('#drop-any', 'drop', { dataTransfer });
}

const WORKER_ONLY = 'the guard runs on the main thread here: pkg/browser.js exports no GuardWorker, so the page cannot stay responsive during a guard call';

test('a 12 MP photo: the page keeps painting while the guard works in the worker', async (t) => {
  if (runs !== 'worker') {
    t.skip(WORKER_ONLY);
    return;
  }
  const { name } = await makeSample('image', 'large');
  await page.evaluate(() => {
    // The longest gap between two animation frames while the probe runs.
    window.__probe = { gap: 0, frames: 0, running: true };
    let last = performance.now();
    const tick = (now) => {
      window.__probe.gap = Math.max(window.__probe.gap, now - last);
      window.__probe.frames++;
      last = now;
      if (window.__probe.running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await dropSample();
  // The indeterminate bar shows while the guard works.
  await page.waitForFunction(() => !document.getElementById('image-busy').hidden);
  assert.equal(await page.evaluate(() => document.getElementById('image-progress').hasAttribute('value')), false);
  assert.equal(await finished('image', name), 'done');
  const probe = await page.evaluate(() => {
    window.__probe.running = false;
    return window.__probe;
  });
  assert.ok(probe.frames > 5, `${probe.frames} frames`);
  assert.ok(probe.gap < 500, `the longest frame gap was ${probe.gap.toFixed(0)} ms`);
  const findings = await page.$$eval('#image-findings .finding-head code', (codes) => codes.map((c) => c.textContent));
  assert.ok(findings.includes('image.gps') && findings.includes('image.resized'), findings.join(', '));
  assert.equal(await page.evaluate(() => document.getElementById('image-busy').hidden), true);
});

test('Cancel stops a 12 MP photo in the worker', async (t) => {
  if (runs !== 'worker') {
    t.skip(WORKER_ONLY);
    return;
  }
  const { name } = await makeSample('image', 'large');
  // A fresh name, so the wait below cannot see the previous run's result.
  await page.evaluate(() => {
    window.__sample = new File([window.__sample], 'to-cancel.jpg', { type: 'image/jpeg' });
  });
  assert.equal(name, 'large-photo-12mp.jpg');
  await dropSample();
  // Pressed from inside the page as soon as the bar shows: a click through
  // Playwright waits for the button to stop moving, by which time a fast
  // machine may have finished the photo.
  await page.waitForFunction(() => {
    if (document.getElementById('image-busy').hidden) return false;
    document.getElementById('image-cancel').click();
    return true;
  });
  assert.equal(await finished('image', 'to-cancel.jpg'), 'cancelled');
  assert.match(await page.textContent('#image-verdict'), /^Cancelled/);
  assert.equal(await page.evaluate(() => document.getElementById('image-download').hidden), true);
});

test('a 5-minute recording: the progress bar moves with the guard, then the result shows', async () => {
  const { name } = await makeSample('audio', 'long');
  await page.evaluate(() => {
    // Every value the bar takes (the attribute follows the property). On the
    // main thread they come in one batch: each record's old value is the
    // value the one before it set.
    window.__progress = [];
    const bar = document.getElementById('audio-progress');
    new MutationObserver((records) => {
      for (const record of records.slice(1)) window.__progress.push(Number(record.oldValue));
      window.__progress.push(Number(bar.getAttribute('value')));
    }).observe(bar, { attributes: true, attributeFilter: ['value'], attributeOldValue: true });
  });
  await dropSample();
  assert.equal(await finished('audio', name), 'done');
  const values = await page.evaluate(() => window.__progress);
  assert.ok(values.some((v) => v > 0 && v < 1), `progress values: ${values.join(', ')}`);
  assert.equal(values.at(-1), 1);
  for (let i = 1; i < values.length; i++) assert.ok(values[i] >= values[i - 1], `progress went back: ${values.join(', ')}`);
  assert.match(await page.textContent('#audio-before-caption'), /44\.1 kHz, mono, 300\.00 s/);
  assert.match(await page.textContent('#audio-after-caption'), /^After: WAV, 16-bit PCM, 16 kHz, mono, 300\.00 s/);
  const codes = await page.$$eval('#audio-findings .finding-head code', (nodes) => nodes.map((n) => n.textContent));
  assert.ok(codes.includes('audio.ultrasonic'), codes.join(', '));
  assert.equal(await page.evaluate(() => document.getElementById('audio-busy').hidden), true);
});

test('the page logged no errors or warnings', () => {
  assert.deepEqual(pageErrors, []);
});
