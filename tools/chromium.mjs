// Launches Debian's headless Chromium through playwright-core, the one way
// this project drives a browser (no browser download). Shared by the browser
// test and the browser bench.
import { chromium } from 'playwright-core';

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
