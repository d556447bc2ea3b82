// Using the API before init() must fail with a clear, catchable error. This is
// its own file because node --test runs each file in a fresh process, and
// init() is global to the process.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Guard, MmguardError, defaultPolicy, init, version } from '../node.js';

function assertInitRequired(fn) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof MmguardError);
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'init.required');
    assert.match(err.message, /init\(\)/);
    return true;
  });
}

test('before init(), every entry throws init.required', () => {
  assertInitRequired(() => new Guard());
  assertInitRequired(() => new Guard({ text: { bidi: { action: 'block' } } }));
  assertInitRequired(() => defaultPolicy());
  assertInitRequired(() => version());
});

test('after init(), the same calls work', async () => {
  const pending = init();
  // In Node the module is compiled synchronously, so it is usable at once.
  assert.equal(typeof new Guard().text('ok').text, 'string');
  await pending;
  assert.equal(new Guard().text('ok').text, 'ok');
  assert.equal(typeof version(), 'string');
});
