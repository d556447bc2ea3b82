// The token format in Node: what mints verifies, and every kind of bad token
// is refused with its own code before any claim is trusted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { base64urlDecode, base64urlEncode, importTokenKey, mintToken, verifyToken } from '../src/token.js';

const SECRET = 'test-secret-that-is-long-enough-0123456789';
const NOW = 1_800_000_000;
const claims = { sub: 'alice', scp: ['forward'], exp: NOW + 60 };

const refused = async (promise, code) => {
  await assert.rejects(promise, (e) => e.code === code && e.status === 401);
};

test('a minted token verifies and gives its claims back', async () => {
  const key = await importTokenKey(SECRET);
  const token = await mintToken(key, claims);
  assert.match(token, /^mmg1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(await verifyToken(key, token, NOW), { client: 'alice', scopes: ['forward'], expires: NOW + 60 });
});

test('expired, tampered, wrongly keyed and malformed tokens are refused', async () => {
  const key = await importTokenKey(SECRET);
  const token = await mintToken(key, claims);
  await refused(verifyToken(key, token, NOW + 60), 'auth.expired');
  await refused(verifyToken(await importTokenKey(`${SECRET}x`), token, NOW), 'auth.invalid');
  // The payload changed to grant more scopes, the MAC kept: refused.
  const [prefix, , mac] = token.split('.');
  const forged = base64urlEncode(new TextEncoder().encode(JSON.stringify({ ...claims, scp: ['forward', 'admin'] })));
  await refused(verifyToken(key, `${prefix}.${forged}.${mac}`, NOW), 'auth.invalid');
  const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
  await refused(verifyToken(key, flipped, NOW), 'auth.invalid');
  for (const bad of ['', 'mmg1.', 'mmg1..', 'mmg2.e30.AAAA', `${token}.`, 'mmg1.e30.not*base64', `mmg1.e30.${'A'.repeat(42)}`, 'x'.repeat(5000)]) {
    await refused(verifyToken(key, bad, NOW), 'auth.malformed');
  }
});

test('a signed payload with bad claims is still refused', async () => {
  const key = await importTokenKey(SECRET);
  const sign = async (payload) => {
    const body = `mmg1.${base64urlEncode(new TextEncoder().encode(payload))}`;
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body)));
    return `${body}.${base64urlEncode(mac)}`;
  };
  for (const payload of ['not json', 'null', '{"sub":"a","scp":"forward","exp":1900000000}', '{"sub":"a b","scp":[],"exp":1900000000}', '{"sub":"a","scp":[],"exp":"soon"}']) {
    await refused(verifyToken(key, await sign(payload), NOW), 'auth.malformed');
  }
});

test('minting checks the claims and the key length', async () => {
  await assert.rejects(importTokenKey('short'), TypeError);
  const key = await importTokenKey(SECRET);
  await assert.rejects(mintToken(key, { ...claims, sub: '' }), TypeError);
  await assert.rejects(mintToken(key, { ...claims, exp: 1.5 }), TypeError);
});

test('base64url round-trips and refuses what is not base64url', () => {
  const bytes = Uint8Array.from({ length: 40 }, (_, i) => i * 7);
  assert.deepEqual(base64urlDecode(base64urlEncode(bytes)), bytes);
  assert.equal(base64urlDecode('a+b/'), null);
  assert.equal(base64urlDecode('abcde'), null);
});

test('the operators\' mint script makes tokens the worker accepts, with the key from the environment', async () => {
  const script = fileURLToPath(new URL('../mint-token.mjs', import.meta.url));
  const env = { ...process.env, GATEWAY_TOKEN_KEY: SECRET };
  const token = execFileSync(process.execPath, [script, '--client', 'ops', '--scopes', 'forward,admin', '--ttl', '60'], { env }).toString().trim();
  const now = Math.floor(Date.now() / 1000);
  const got = await verifyToken(await importTokenKey(SECRET), token, now);
  assert.deepEqual([got.client, got.scopes], ['ops', ['forward', 'admin']]);
  assert.ok(got.expires > now && got.expires <= now + 61);
  const key = execFileSync(process.execPath, [script, '--new-key']).toString().trim();
  assert.match(key, /^[A-Za-z0-9_-]{43}$/);
  assert.throws(() => execFileSync(process.execPath, [script, '--client', 'ops'], { env: { PATH: process.env.PATH }, stdio: 'pipe' }));
});
