// The npm package's "workerd" entry point in a real local workerd: the wasm is
// imported as a module and instantiated synchronously, as on Cloudflare Workers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const workerd = fileURLToPath(new URL('../../node_modules/.bin/workerd', import.meta.url));
let proc;
let base;

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  proc = spawn(workerd, ['serve', 'config.capnp', `--socket-addr=http=127.0.0.1:${port}`], {
    cwd: here,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(base, { method: 'POST', body: 'ping' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error('workerd did not start within 20 s');
});

after(() => proc?.kill());

test('sanitizes text inside workerd', async () => {
  const input = 'Hello\u202E dlrow\u{E0068}\u{E0069}';
  const res = await fetch(base, { method: 'POST', body: input });
  assert.equal(res.status, 200);
  const { text, report } = await res.json();
  assert.equal(text, 'Hello dlrow');
  assert.equal(report.verdict, 'modified');
  const tag = report.findings.find((f) => f.code === 'text.tag_smuggling');
  assert.equal(tag.payload.text, 'hi');
  const bidi = report.findings.find((f) => f.code === 'text.bidi_control');
  assert.deepEqual([bidi.spans[0].start, bidi.spans[0].end], [input.indexOf('\u202E'), input.indexOf('\u202E') + 1]);
});

test('policy errors keep their code inside workerd', async () => {
  const res = await fetch(base, { method: 'POST', body: 'x', headers: { 'x-policy': '{"text":{"nope":{}}}' } });
  assert.equal(res.status, 400);
  const { error } = await res.json();
  assert.equal(error.code, 'policy.json');
});

test('a blocking policy returns null text inside workerd', async () => {
  const res = await fetch(base, {
    method: 'POST',
    body: 'a\u202Eb',
    headers: { 'x-policy': '{"text":{"bidi":{"action":"block"}}}' },
  });
  const { text, report } = await res.json();
  assert.equal(text, null);
  assert.equal(report.verdict, 'blocked');
});
