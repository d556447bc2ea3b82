// Launches Debian's headless Chromium through playwright-core, the one way
// this project drives a browser (no browser download). Shared by the browser
// tests and the browser bench.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

/** The Chromium binary; CHROMIUM overrides /usr/bin/chromium. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// No sandbox (CI runs as root), no GPU, and nothing that reaches the network:
// this machine refuses outside connections, and Chromium retries them.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A headless persistent context on a fresh profile directory. Playwright
 * refuses --user-data-dir in args, so the profile is passed this way.
 */
export function launchChromium(profileDir) {
  return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** Pushes a page's uncaught errors and console errors and warnings onto `errors`. */
export function recordErrors(page, errors, { warnings = true } = {}) {
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || (warnings && msg.type() === 'warning')) errors.push(`console.${msg.type()}: ${msg.text()}`);
  });
}

/**
 * What every browser test and bench starts with: `root` served on a free
 * port (tools/serve.mjs, `options.headers` added to every file), Chromium on
 * a fresh profile, and its first page recording errors into `errors`
 * (recordErrors; `options.warnings` false leaves console warnings out).
 * Resolves to { base, context, page, errors, close }, `base` the server's
 * URL with a trailing slash; `close()` undoes it all.
 */
export async function openBrowser(root, options = {}) {
  const server = await serve(root, 0, { headers: options.headers });
  const profile = mkdtempSync(path.join(tmpdir(), 'mmguard-chromium-'));
  const close = async () => {
    await context?.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(profile, { recursive: true, force: true });
  };
  let context;
  try {
    context = await launchChromium(profile);
  } catch (err) {
    await close();
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  recordErrors(page, errors, { warnings: options.warnings ?? true });
  return { base: `http://127.0.0.1:${server.address().port}/`, context, page, errors, close };
}
