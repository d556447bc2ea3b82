// Policies, limits and errors in Node.js: what a caller can branch on. Errors
// must be MmguardError (and Error) with a stable `code`.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { Guard, MmguardError, defaultPolicy, init, version } from '../node.js';

const utf8Length = (s) => new TextEncoder().encode(s).length;

/** Asserts that `fn` throws an MmguardError with `code`, and returns it. */
function throwsCode(fn, code) {
  let caught;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected an error with code ${code}, nothing was thrown`);
  assert.ok(caught instanceof MmguardError, `not an MmguardError: ${caught}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, 'MmguardError');
  assert.equal(caught.code, code, caught.message);
  assert.equal(typeof caught.message, 'string');
  assert.ok(caught.message.length > 0);
  return caught;
}

before(() => init());

test('init is idempotent', async () => {
  assert.equal(init(), init());
  await init();
});

test('version matches the npm package', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  assert.equal(version(), pkg.version);
});

test('the default policy is what a Guard without a policy uses', () => {
  const defaults = defaultPolicy();
  assert.deepEqual(new Guard().policy(), defaults);
  assert.deepEqual(new Guard(null).policy(), defaults);
  assert.deepEqual(new Guard({}).policy(), defaults);
  assert.deepEqual(new Guard({ text: {}, limits: { text: {} } }).policy(), defaults);
});

test('the documented defaults', () => {
  const { text, limits } = defaultPolicy();
  assert.equal(text.normalization, 'nfc');
  assert.deepEqual(text.bidi, { action: 'sanitize', mode: 'remove' });
  assert.deepEqual(text.smuggling, { action: 'sanitize' });
  assert.deepEqual(text.secrets, { action: 'sanitize' });
  assert.deepEqual(text.pii, { action: 'flag' });
  assert.ok(Math.abs(text.injection.threshold - 0.7) < 1e-6);
  assert.deepEqual(limits.text, {
    max_bytes: 4 * 1024 * 1024,
    max_chars: 1024 * 1024,
    max_decode_depth: 3,
    max_decoded_bytes: 256 * 1024,
  });
});

test('a partial policy changes only what it names', () => {
  const expected = defaultPolicy();
  expected.text.pii.action = 'sanitize';
  expected.text.bidi.mode = 'isolate';
  expected.limits.text.max_chars = 1000;
  const guard = new Guard({ text: { pii: { action: 'sanitize' }, bidi: { mode: 'isolate' } }, limits: { text: { max_chars: 1000 } } });
  assert.deepEqual(guard.policy(), expected);
});

test('an effective policy is accepted back as input', () => {
  const strict = new Guard({ text: { normalization: 'nfkc', injection: { action: 'block', threshold: 0.5 } } }).policy();
  assert.deepEqual(new Guard(strict).policy(), strict);
});

test('bad policies throw policy.json or policy.invalid', async (t) => {
  const cases = [
    ['an unknown top-level key', { txt: {} }, 'policy.json'],
    ['an unknown check', { text: { bidii: { action: 'block' } } }, 'policy.json'],
    ['an unknown field in a check', { text: { bidi: { action: 'block', modes: 'remove' } } }, 'policy.json'],
    ['an unknown action', { text: { bidi: { action: 'destroy' } } }, 'policy.json'],
    ['a string where a number belongs', { limits: { text: { max_chars: '5' } } }, 'policy.json'],
    ['a negative count', { limits: { text: { max_chars: -1 } } }, 'policy.json'],
    ['a check without its action', { text: { pii: {} } }, 'policy.json'],
    ['a policy that is not an object', 'strict', 'policy.json'],
    ['a policy as a JSON string', '{"text":{}}', 'policy.json'],
    ['threshold 2', { text: { injection: { threshold: 2 } } }, 'policy.invalid'],
    ['threshold below 0', { text: { injection: { threshold: -0.1 } } }, 'policy.invalid'],
    ['max_chars 0', { limits: { text: { max_chars: 0 } } }, 'policy.invalid'],
    ['max_decode_depth 9', { limits: { text: { max_decode_depth: 9 } } }, 'policy.invalid'],
    ['max_marks 0', { text: { combining: { max_marks: 0 } } }, 'policy.invalid'],
    ['max_run 1', { text: { flood: { max_run: 1 } } }, 'policy.invalid'],
  ];
  for (const [name, policy, code] of cases) {
    await t.test(name, () => {
      throwsCode(() => new Guard(policy), code);
    });
  }
});

test('a policy error names the offending key', () => {
  const err = throwsCode(() => new Guard({ text: { bidii: {} } }), 'policy.json');
  assert.match(err.message, /bidii/);
  const range = throwsCode(() => new Guard({ text: { injection: { threshold: 2 } } }), 'policy.invalid');
  assert.match(range.message, /threshold/);
});

test('text over max_chars throws limit.text_chars; characters, not UTF-16 units, are counted', () => {
  const guard = new Guard({ limits: { text: { max_chars: 5 } } });
  assert.equal(guard.text('abcde').text, 'abcde');
  throwsCode(() => guard.text('abcdef'), 'limit.text_chars');
  // Five characters in ten bytes: within five characters.
  assert.equal(guard.text('\u00E4\u00F6\u00FC\u00DFx').report.stats.input_chars, 5);
  throwsCode(() => guard.text('\u00E4\u00F6\u00FC\u00DFxy'), 'limit.text_chars');
  // Five astral characters are ten UTF-16 units but five characters.
  const emoji = '\u{1F600}'.repeat(5);
  assert.equal(emoji.length, 10);
  assert.equal(guard.text(emoji).report.stats.input_chars, 5);
  throwsCode(() => guard.text(emoji + '\u{1F600}'), 'limit.text_chars');
});

test('text over max_bytes throws limit.text_bytes', () => {
  const input = '\u00E4\u00F6\u00FC';
  const bytes = utf8Length(input);
  const guard = new Guard({ limits: { text: { max_bytes: bytes - 1 } } });
  const err = throwsCode(() => guard.text(input), 'limit.text_bytes');
  assert.match(err.message, new RegExp(`\\b${bytes}\\b`));
  assert.equal(new Guard({ limits: { text: { max_bytes: bytes } } }).text(input).text, input);
});

test('text() refuses anything but a string with input.type', () => {
  const guard = new Guard();
  for (const value of [42, null, undefined, {}, ['a'], new String('a'), Symbol('a'), 10n]) {
    throwsCode(() => guard.text(value), 'input.type');
  }
});

test('a freed Guard throws guard.freed; freeing twice is harmless', () => {
  const guard = new Guard();
  guard.free();
  guard.free();
  throwsCode(() => guard.text('x'), 'guard.freed');
  throwsCode(() => guard.policy(), 'guard.freed');
});

test('guards are independent', () => {
  const blocking = new Guard({ text: { invisible: { action: 'block' } } });
  const flagging = new Guard({ text: { invisible: { action: 'flag' } } });
  const input = 'a\u200Bb';
  assert.equal(blocking.text(input).report.verdict, 'blocked');
  const flagged = flagging.text(input);
  assert.equal(flagged.text, input);
  assert.equal(flagged.report.verdict, 'clean');
  assert.equal(flagged.report.findings.find((f) => f.code === 'text.invisible')?.action, 'flag');
});
