// The module Web Worker behind GuardWorker in browsers: loads the package's
// browser entry (its own copy of the wasm module) and answers the page.
// Started by browser.js as new Worker(new URL('./worker.js', import.meta.url)),
// so it is served from the package itself: no CDN, no blob: URL, and it runs
// under a CSP of script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'.

import * as api from './browser.js';
import { serve } from './worker-serve.js';

serve({
  post: (message, transfer) => self.postMessage(message, transfer),
  listen: (handle) => self.addEventListener('message', (event) => handle(event.data)),
  api,
});
