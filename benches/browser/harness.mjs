// What the browser benches share: a bench page opened in headless Chromium
// from the repository served on 127.0.0.1, with its errors collected, and the
// statistics they print.

import { fileURLToPath } from 'node:url';
import { openBrowser } from '../../tools/chromium.mjs';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The photo the image and GuardWorker benches make their 12 MP input from. */
export const PHOTO = process.env.MMGUARD_BENCH_PHOTO ?? '/usr/share/backgrounds/mate/abstract/Elephants_5640x3172.jpg';

/** The policy those benches run with: JPEG output at quality 85, room for the photo. */
export const PHOTO_POLICY = {
  image: { output: { format: 'jpeg', jpeg_quality: 85 } },
  limits: { image: { max_bytes: 64_000_000 } },
};

/** Timed runs per path: MMGUARD_BENCH_RUNS, else `fallback`; throws unless a positive integer. */
export function benchRuns(fallback) {
  const runs = Number(process.env.MMGUARD_BENCH_RUNS ?? fallback);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`MMGUARD_BENCH_RUNS must be a positive integer, got ${runs}`);
  return runs;
}

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
  const browser = await openBrowser(REPO_ROOT, { warnings: false });
  try {
    const { page, context, errors: problems } = browser;
    await page.goto(`${browser.base}${pagePath}`);
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
    await browser.close();
  }
}
