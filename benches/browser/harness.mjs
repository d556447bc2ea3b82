// What the browser benches share: a bench page opened in headless Chromium
// from the repository served on 127.0.0.1, with its errors collected, and the
// statistics they print.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../tools/chromium.mjs';
import { serve } from '../../tools/serve.mjs';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
export const round = (x, digits = 2) => Number(x.toFixed(digits));
export const spread = (values) => ({ min: round(Math.min(...values)), max: round(Math.max(...values)) });

/**
 * Opens `pagePath` (under the repository root), waits until it sets
 * `window.benchReady` (or `window.benchFailure`), and calls
 * `use({ page, context })`. Fails when the page did not load, when init()
 * failed in it, or when it logged an error; closes everything either way.
 */
export async function withBenchPage(pagePath, use) {
  const server = await serve(REPO_ROOT, 0);
  const profile = mkdtempSync(path.join(tmpdir(), 'mmguard-bench-'));
  let context;
  try {
    context = await launchChromium(profile);
    const page = context.pages()[0] ?? (await context.newPage());
    const problems = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
    });
    await page.goto(`http://127.0.0.1:${server.address().port}/${pagePath}`);
    try {
      await page.waitForFunction(() => window.benchReady || window.benchFailure, null, { timeout: 60_000 });
    } catch (err) {
      throw new Error(`the bench page did not load: ${err.message}\n${problems.join('\n')}`);
    }
    const failure = await page.evaluate(() => window.benchFailure);
    if (failure) throw new Error(`init() failed in the page: ${failure}`);
    await use({ page, context });
    if (problems.length > 0) throw new Error(`the page reported errors:\n${problems.join('\n')}`);
  } finally {
    await context?.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(profile, { recursive: true, force: true });
  }
}
