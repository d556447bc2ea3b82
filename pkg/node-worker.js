// The worker_threads worker behind GuardWorker in Node.js: loads the
// package's Node entry (its own copy of the wasm module) and answers the
// thread that started it.

import { parentPort } from 'node:worker_threads';
import * as api from './node.js';
import { serve } from './worker-serve.js';

serve({
  post: (message, transfer) => parentPort.postMessage(message, transfer),
  listen: (handle) => parentPort.on('message', handle),
  api,
});
