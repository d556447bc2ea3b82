// The demo page opened as every demo test starts: the repository root served,
// Chromium at phone width (one column, where everything must still be
// reachable), www/ loaded and its guard ready.

import { fileURLToPath } from 'node:url';
import { openBrowser } from '../../tools/chromium.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Resolves to openBrowser()'s { base, context, page, errors, close }, the demo loaded. */
export async function openDemo() {
  const browser = await openBrowser(REPO_ROOT);
  try {
    await browser.page.setViewportSize({ width: 390, height: 844 });
    await browser.page.goto(`${browser.base}www/`);
    await browser.page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  } catch (err) {
    await browser.close();
    throw err;
  }
  return browser;
}
