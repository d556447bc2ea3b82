// The gateway worker's entry point: the fetch handler, which turns every
// refusal into its JSON error and anything unexpected into a logged 500
// that carries no detail, and the Durable Object class workerd instantiates.

import { GatewayError, errorResponse, responseFor } from './errors.js';
import { log, route } from './gateway.js';

export { ClientState } from './client-state.js';

// A refusal sent before the body was read races the client still writing it,
// which then sees a reset instead of the answer. A small body is read and
// dropped so the client gets its JSON error; a large one is refused unread,
// which is the point of refusing early.
const DRAIN_LIMIT = 64 * 1024;

async function drainSmallBody(request) {
  // No Content-Length (a chunked body): its size is unknown, so it is not read.
  const declared = request.headers.get('content-length');
  const length = declared === null ? Infinity : Number(declared);
  if (request.bodyUsed || !request.body || !(length <= DRAIN_LIMIT)) return;
  try {
    await request.arrayBuffer();
  } catch {
    // The client went away: nothing left to protect.
  }
}

export default {
  async fetch(request, env) {
    try {
      return await route(request, env);
    } catch (e) {
      if (e instanceof GatewayError) {
        if (e.code.startsWith('auth.')) log('auth.refused', { code: e.code, path: new URL(request.url).pathname });
        await drainSmallBody(request);
        return responseFor(e);
      }
      // A bug, not the client's fault: the log gets the detail, the client a stable code.
      log('gateway.error', { message: String(e?.stack ?? e) });
      return errorResponse(500, 'gateway.internal', 'the gateway failed unexpectedly');
    }
  },
};
