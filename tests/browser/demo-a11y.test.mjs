// Accessibility of the demo page (www/), measured: axe-core's WCAG 2.1 A and
// AA rules run in real headless Chromium on each tab (text, image, audio)
// with a sample's result shown, at phone width (390 × 844) and desktop width
// (1280 × 900), in the light and the dark colour scheme (the page styles
// both). Any violation of impact "serious" or "critical" fails the test and
// is printed with its rule, the elements it hit and axe's summary; lesser
// ones are printed as diagnostics. A keyboard-only walk checks that the
// controls a sample needs are reached with Tab and work with Enter and
// Space. Same set-up as demo.test.mjs.
//
//   node --test tests/browser/demo-a11y.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { openDemo } from './demo-page.mjs';

const require = createRequire(import.meta.url);
// Read once: injected into the page by evaluate, as the page's CSP
// (script-src 'self') refuses the inline script addScriptTag would add.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const FAILING = new Set(['serious', 'critical']);

let browser;
let page;
let pageErrors = [];

before(async () => {
  browser = await openDemo();
  ({ page, errors: pageErrors } = browser);
  await page.evaluate(AXE_SOURCE);
  assert.equal(await page.evaluate(() => typeof window.axe?.run), 'function', 'axe-core loaded in the page');
}, { timeout: 120_000 });

after(async () => {
  await browser?.close();
});

/** Clicks the sample button `selector` and waits until the tab `kind` has finished with it. */
async function showSample(kind, selector) {
  await page.click(selector);
  // The click handler marks the result "processing" before its first await.
  await page.waitForFunction((k) => document.getElementById(`${k}-result`).dataset.status !== 'processing', kind, { timeout: 60_000 });
  const state = await page.evaluate((k) => ({ status: document.getElementById(`${k}-result`).dataset.status, selected: document.querySelector('[role="tab"][aria-selected="true"]').id }), kind);
  assert.deepEqual(state, { status: 'done', selected: `tab-${kind}` });
}

/**
 * Runs axe's WCAG 2.1 A and AA rules on the whole page and returns its
 * violations, each reduced to what a person fixing it needs.
 */
async function axeViolations() {
  const violations = await page.evaluate(async (tags) => {
    const results = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, WCAG_21_AA);
  return violations;
}

const describe = (violations) =>
  violations.map((v) => `[${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target}\n      ${(n.summary ?? '').replace(/\n/g, '\n      ')}`).join('\n')}`).join('\n');

// One sample per tab, each with findings, payloads or pictures drawn: the
// most DOM a result draws.
const TABS = [
  ['text', '#text-samples [data-sample="ascii-smuggling"]'],
  ['image', '#image-samples [data-sample="gps"]'],
  ['audio', '#audio-samples [data-sample="dolphin"]'],
];

for (const scheme of ['light', 'dark']) {
  for (const [width, height, size] of [[390, 844, 'phone'], [1280, 900, 'desktop']]) {
    for (const [kind, sample] of TABS) {
      test(`axe, WCAG 2.1 A and AA: the ${kind} tab with a result, ${size} width, ${scheme} scheme`, async (t) => {
        await page.emulateMedia({ colorScheme: scheme });
        await page.setViewportSize({ width, height });
        await showSample(kind, sample);
        // The policy's disclosures open too, so their editor and JSON are checked.
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
        const violations = await axeViolations();
        const failing = violations.filter((v) => FAILING.has(v.impact));
        const lesser = violations.filter((v) => !FAILING.has(v.impact));
        if (lesser.length > 0) t.diagnostic(`moderate or minor:\n${describe(lesser)}`);
        if (failing.length > 0) console.log(`axe on the ${kind} tab, ${size}, ${scheme}:\n${describe(failing)}`);
        assert.equal(failing.length, 0, `serious or critical violations:\n${describe(failing)}`);
      });
    }
  }
}

test('keyboard only: Tab reaches a sample button, Enter and Space run it, the skip link leads to the result', async () => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = false)));
  // Tab from the skip link, the page's first stop, until the first image
  // sample button has focus. (Chromium starts Tab from the last element
  // clicked, so the walk starts from a focused element.)
  await page.focus('#skip');
  const visited = ['skip'];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const e = document.activeElement;
      return { id: e.id, sample: e.dataset.sample ?? null, kind: e.dataset.kind ?? null, visible: e.checkVisibility() };
    });
    visited.push(focused.id || `${focused.kind}:${focused.sample}`);
    assert.ok(focused.visible, `focus on something hidden: ${visited.at(-1)}`);
    if (focused.kind === 'image') break;
  }
  assert.equal(await page.evaluate(() => document.querySelector('body *:is(a[href], button, input, select, textarea, summary, [tabindex="0"])').id), 'skip', 'the skip link comes first');
  assert.ok(visited.includes('any-file'), `the file picker is reached: ${visited.join(', ')}`);
  assert.match(visited.at(-1), /^image:/, `an image sample is reached by Tab: ${visited.join(', ')}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('image-result').dataset.status !== 'processing', null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => document.getElementById('image-result').dataset.status), 'done');
  assert.equal(await page.getAttribute('#tab-image', 'aria-selected'), 'true');
  // Space works on the next sample button too (a real <button>).
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.getElementById('image-result').dataset.status !== 'processing', null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => document.getElementById('image-result').dataset.status), 'done');
  // The skip link follows the selected tab and moves focus to its result heading.
  await page.focus('#skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'image-result-heading');
});

test('the page logged no errors or warnings', () => {
  assert.deepEqual(pageErrors, []);
});
