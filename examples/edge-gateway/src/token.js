// The gateway's access token: format, minting and verification. A plain ES
// module on WebCrypto only, so the worker (workerd) and the operators' and
// tests' Node scripts share one definition of the format.
//
//   token   = "mmg1." base64url(payload JSON) "." base64url(HMAC-SHA256(key, "mmg1." base64url(payload)))
//   payload = { "sub": client id, "scp": [scopes], "exp": expiry in Unix seconds }
//
// The MAC covers the version prefix, so a later format cannot be confused
// with this one. The payload is parsed only after its MAC checked out, so an
// attacker's JSON never reaches the parser unless it was signed.

const PREFIX = 'mmg1.';
const encoder = new TextEncoder();

// Bounds checked before any work, so a huge header costs nothing.
export const MAX_TOKEN_CHARS = 2048;
export const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const SCOPE = /^[A-Za-z0-9:._-]{1,64}$/;
const MAX_SCOPES = 16;

/** A token the gateway refuses; `code` is stable, `status` the HTTP status to answer with. */
export class TokenError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'TokenError';
    this.status = status;
    this.code = code;
  }
}

export function base64urlEncode(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of a base64url string, or null when it is not one (no padding allowed). */
export function base64urlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The HMAC key for `secret` (a string of at least 32 characters; use random bytes, e.g. base64url of 32). */
export async function importTokenKey(secret) {
  if (typeof secret !== 'string' || secret.length < 32) {
    throw new TypeError('the token key must be a string of at least 32 characters');
  }
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

function checkClaims({ sub, scp, exp }) {
  if (typeof sub !== 'string' || !CLIENT_ID.test(sub)) return 'sub must be 1-64 characters of A-Z a-z 0-9 . _ -';
  if (!Array.isArray(scp) || scp.length > MAX_SCOPES || !scp.every((s) => typeof s === 'string' && SCOPE.test(s))) {
    return `scp must be a list of at most ${MAX_SCOPES} scopes of A-Z a-z 0-9 : . _ -`;
  }
  if (!Number.isSafeInteger(exp) || exp <= 0) return 'exp must be a positive integer (Unix seconds)';
  return null;
}

/** A signed token for `claims` ({ sub, scp, exp }). */
export async function mintToken(key, claims) {
  const problem = checkClaims(claims);
  if (problem) throw new TypeError(problem);
  const body = PREFIX + base64urlEncode(encoder.encode(JSON.stringify({ sub: claims.sub, scp: claims.scp, exp: claims.exp })));
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(body)));
  return `${body}.${base64urlEncode(mac)}`;
}

/**
 * The claims of `token` when it is well formed, signed with `key` and not
 * expired at `nowSeconds`; otherwise a TokenError (401). Scopes are checked
 * by the caller, which knows what the request needs.
 */
export async function verifyToken(key, token, nowSeconds) {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS || !token.startsWith(PREFIX)) {
    throw new TokenError(401, 'auth.malformed', 'the token is not an mmg1 token');
  }
  const dot = token.lastIndexOf('.');
  const body = token.slice(0, dot);
  const payloadBytes = base64urlDecode(body.slice(PREFIX.length));
  const mac = base64urlDecode(token.slice(dot + 1));
  if (dot <= PREFIX.length || !payloadBytes || !mac || mac.length !== 32) {
    throw new TokenError(401, 'auth.malformed', 'the token is not an mmg1 token');
  }
  // crypto.subtle.verify compares in constant time.
  if (!(await crypto.subtle.verify('HMAC', key, mac, encoder.encode(body)))) {
    throw new TokenError(401, 'auth.invalid', 'the token signature does not verify');
  }
  let claims;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    throw new TokenError(401, 'auth.malformed', 'the token payload is not JSON');
  }
  if (claims === null || typeof claims !== 'object' || checkClaims(claims)) {
    throw new TokenError(401, 'auth.malformed', 'the token payload lacks valid sub, scp or exp');
  }
  if (claims.exp <= nowSeconds) throw new TokenError(401, 'auth.expired', 'the token has expired');
  return { client: claims.sub, scopes: claims.scp, expires: claims.exp };
}
