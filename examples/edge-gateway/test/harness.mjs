// What the gateway tests run against: a real local workerd serving
// config.capnp on a free port, with its settings passed as environment
// variables, its JSON log lines collected; and an upstream stub (node:http)
// that records every request it receives, so tests can say what did and did
// not reach the model API.
import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { importTokenKey, mintToken } from '../src/token.js';

const here = fileURLToPath(new URL('..', import.meta.url));
const workerd = fileURLToPath(new URL('../../../node_modules/.bin/workerd', import.meta.url));

export const TOKEN_KEY = 'edge-gateway-test-key-0123456789abcdefghij';

export const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

/** The upstream stub: `requests` holds { method, url, headers, body (Buffer) } of each request received. */
export async function startUpstream() {
  const requests = [];
  const server = createHttpServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'stub' });
      res.end(JSON.stringify({ ok: true, n: requests.length }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, requests, stop: () => new Promise((r) => server.close(r)) };
}

/** workerd serving the gateway with `config` (GATEWAY_CONFIG) in front of `upstreamUrl`. */
export async function startGateway({ upstreamUrl, config }) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const events = [];
  const proc = spawn(workerd, ['serve', 'config.capnp', `--socket-addr=http=127.0.0.1:${port}`], {
    cwd: here,
    env: { ...process.env, GATEWAY_TOKEN_KEY: TOKEN_KEY, UPSTREAM_URL: upstreamUrl, GATEWAY_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk) => {
    output += chunk;
    const lines = output.split('\n');
    output = lines.pop();
    for (const line of lines) {
      const at = line.indexOf('{"event"');
      if (at < 0) {
        if (line.trim()) process.stderr.write(`workerd: ${line}\n`);
        continue;
      }
      try {
        events.push(JSON.parse(line.slice(at)));
      } catch {
        process.stderr.write(`workerd: ${line}\n`);
      }
    }
  };
  proc.stdout.on('data', collect);
  proc.stderr.on('data', collect);
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${base}/`);
      return { base, events, stop: () => proc.kill() };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  proc.kill();
  throw new Error('workerd did not start within 20 s');
}

let key;

/** A token for `client` with `scopes`, valid for `ttl` seconds (negative: already expired). */
export async function token(client, scopes = ['forward'], ttl = 600) {
  key ??= await importTokenKey(TOKEN_KEY);
  return mintToken(key, { sub: client, scp: scopes, exp: Math.floor(Date.now() / 1000) + ttl });
}

export const auth = async (client, scopes, ttl) => ({ authorization: `Bearer ${await token(client, scopes, ttl)}` });

/** The x-mmguard-summary header of a response or recorded request, parsed. */
export const summaryOf = (value) => JSON.parse(decodeURIComponent(value));

/** The form a recorded upstream request carried. */
export const formOf = (recorded) =>
  new Request('http://upstream.invalid/', { method: 'POST', headers: { 'content-type': recorded.headers['content-type'] }, body: recorded.body }).formData();
