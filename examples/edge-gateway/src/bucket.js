// Token buckets for per-client rate limits and byte budgets: pure functions
// over plain JSON state, so the Durable Object can store it as it is and the
// Node tests can drive the clock.

/**
 * A bucket's state after refilling to `now` (ms). A bucket starts full;
 * `limits` is { capacity, refillPerSecond }.
 */
export function refill(state, limits, now) {
  if (!state) return { tokens: limits.capacity, at: now };
  // A clock that went backwards refills nothing, and keeps the later time so
  // the same interval is not counted twice once it runs forward again.
  const elapsed = Math.max(0, now - state.at) / 1000;
  return { tokens: Math.min(limits.capacity, state.tokens + elapsed * limits.refillPerSecond), at: Math.max(now, state.at) };
}

/**
 * Takes `costs[name]` from each bucket in `limits` ({ name: { capacity,
 * refillPerSecond } }) at `now`, all or none. Returns { ok, buckets,
 * retryAfterSeconds }: the new states, and when refused how long until every
 * bucket holds its cost again (a cost above a capacity is capped to it, so
 * a large request waits for a full bucket instead of forever).
 */
export function take(buckets, limits, costs, now) {
  const next = {};
  let wait = 0;
  for (const [name, limit] of Object.entries(limits)) {
    const bucket = refill(buckets?.[name], limit, now);
    const cost = Math.min(costs[name] ?? 0, limit.capacity);
    if (bucket.tokens < cost) {
      wait = Math.max(wait, limit.refillPerSecond > 0 ? (cost - bucket.tokens) / limit.refillPerSecond : Infinity);
    }
    next[name] = { bucket, cost };
  }
  if (wait > 0) {
    const states = Object.fromEntries(Object.entries(next).map(([n, { bucket }]) => [n, bucket]));
    // Retry-After is whole seconds; round up so the retry finds the tokens there.
    return { ok: false, buckets: states, retryAfterSeconds: Number.isFinite(wait) ? Math.max(1, Math.ceil(wait)) : 3600 };
  }
  const states = Object.fromEntries(
    Object.entries(next).map(([n, { bucket, cost }]) => [n, { tokens: bucket.tokens - cost, at: bucket.at }]),
  );
  return { ok: true, buckets: states, retryAfterSeconds: 0 };
}
