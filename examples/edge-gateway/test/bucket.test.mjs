// Token buckets with a driven clock: refill, all-or-nothing takes across
// buckets, and Retry-After rounded up to whole seconds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { take } from '../src/bucket.js';

const limits = { requests: { capacity: 3, refillPerSecond: 0.5 }, bytes: { capacity: 1000, refillPerSecond: 100 } };

test('a full bucket serves its capacity, then says when to retry', () => {
  let buckets = {};
  for (let i = 0; i < 3; i++) {
    const r = take(buckets, limits, { requests: 1, bytes: 10 }, 0);
    assert.equal(r.ok, true);
    buckets = r.buckets;
  }
  const refused = take(buckets, limits, { requests: 1, bytes: 10 }, 0);
  assert.deepEqual([refused.ok, refused.retryAfterSeconds], [false, 2]);
  // Two seconds later one token is back.
  assert.equal(take(refused.buckets, limits, { requests: 1, bytes: 10 }, 2000).ok, true);
});

test('a take is all or nothing across buckets', () => {
  const first = take({}, limits, { requests: 1, bytes: 950 }, 0);
  const refused = take(first.buckets, limits, { requests: 1, bytes: 100 }, 0);
  assert.equal(refused.ok, false);
  assert.equal(refused.retryAfterSeconds, 1);
  assert.equal(refused.buckets.requests.tokens, 2, 'the request token was not spent');
});

test('a cost above the capacity waits for a full bucket, and a clock going back refills nothing', () => {
  const empty = take({}, limits, { bytes: 1000 }, 10_000).buckets;
  const r = take(empty, limits, { bytes: 5000 }, 10_000);
  assert.deepEqual([r.ok, r.retryAfterSeconds], [false, 10]);
  assert.equal(take(empty, limits, { bytes: 1 }, 5_000).ok, false);
});
