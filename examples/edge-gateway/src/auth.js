// Access control: the bearer token of a request, checked with the key from
// the GATEWAY_TOKEN_KEY binding, and the scope the route needs. Refusals are
// GatewayErrors (401 for who-are-you, 403 for not-allowed), logged without
// the token itself.

import { GatewayError } from './errors.js';
import { TokenError, importTokenKey, verifyToken } from './token.js';

// The imported key, per isolate, rebuilt only if the secret changes.
let cachedKey = null;

async function tokenKey(env) {
  const secret = env.GATEWAY_TOKEN_KEY;
  if (cachedKey?.secret === secret) return cachedKey.key;
  let key;
  try {
    key = await importTokenKey(secret);
  } catch {
    throw new GatewayError(503, 'gateway.misconfigured', 'the gateway has no usable GATEWAY_TOKEN_KEY (32 characters or more)');
  }
  cachedKey = { secret, key };
  return key;
}

const challenge = { 'www-authenticate': 'Bearer realm="mmguard-gateway"' };

/** The verified claims { client, scopes, expires } of `request`, which must carry `scope`. */
export async function authenticate(request, env, scope) {
  const key = await tokenKey(env);
  const header = request.headers.get('authorization');
  if (!header) throw new GatewayError(401, 'auth.missing', 'send Authorization: Bearer <token>', { headers: challenge });
  const match = /^Bearer ([^\s]+)$/.exec(header);
  if (!match) throw new GatewayError(401, 'auth.malformed', 'the Authorization header is not "Bearer <token>"', { headers: challenge });
  let claims;
  try {
    claims = await verifyToken(key, match[1], Math.floor(Date.now() / 1000));
  } catch (e) {
    if (e instanceof TokenError) throw new GatewayError(e.status, e.code, e.message, { headers: challenge });
    throw e;
  }
  if (!claims.scopes.includes(scope)) {
    throw new GatewayError(403, 'auth.scope', `the token lacks the "${scope}" scope`);
  }
  return claims;
}
