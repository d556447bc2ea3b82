// The query monitor on synthetic fingerprints and scores: a probing stream
// (perturbed copies, a grid sweep, scores just under a threshold) trips it;
// natural streams (independent inputs, exact repeats, scores far from the
// threshold) do not; the window stays bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MONITOR_DEFAULTS, emptyMonitorState, hamming, observe, summarize } from '../src/monitor.js';

// A deterministic generator, so a failure can be replayed.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const toHex = (hi, lo) => (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
const randomFp = (r) => toHex(r() * 2 ** 32, r() * 2 ** 32);

function flipBits(hex, bits) {
  let hi = parseInt(hex.slice(0, 8), 16);
  let lo = parseInt(hex.slice(8), 16);
  for (const b of bits) {
    if (b < 32) lo ^= 1 << b;
    else hi ^= 1 << (b - 32);
  }
  return toHex(hi, lo);
}

function run(fps, kind = 'image.dhash64', options = {}) {
  let state = null;
  const trips = [];
  for (const hex of fps) {
    const r = observe(state, { fingerprints: [{ kind, hex }] }, options);
    state = r.state;
    trips.push(r.reasons.map((x) => x.rule));
  }
  return { state, trips };
}

test('hamming counts differing bits of 64-bit hex fingerprints', () => {
  assert.equal(hamming('0000000000000000', 'ffffffffffffffff'), 64);
  assert.equal(hamming('8000000000000001', '0000000000000000'), 2);
  assert.equal(hamming('0123456789abcdef', '0123456789abcdef'), 0);
  const r = rng(1);
  for (let i = 0; i < 50; i++) {
    const a = randomFp(r);
    const bits = [...new Set(Array.from({ length: 1 + Math.floor(r() * 10) }, () => Math.floor(r() * 64)))];
    assert.equal(hamming(a, flipBits(a, bits)), bits.length);
  }
});

test('perturbed copies of one input trip near_duplicates', () => {
  const r = rng(2);
  const base = randomFp(r);
  const probes = Array.from({ length: 40 }, () => flipBits(base, [Math.floor(r() * 64), Math.floor(r() * 64), Math.floor(r() * 64)]));
  const { trips, state } = run(probes);
  const first = trips.findIndex((t) => t.includes('near_duplicates'));
  assert.ok(first >= MONITOR_DEFAULTS.minSamples - 1 && first < 24, `tripped at ${first}`);
  assert.ok(trips.slice(first).every((t) => t.includes('near_duplicates')));
  assert.ok(state.counters.nearDuplicates > 20);
  assert.equal(state.counters.trips, trips.filter((t) => t.length).length);
});

test('independent inputs do not trip, however many', () => {
  const r = rng(3);
  const { trips, state } = run(Array.from({ length: 500 }, () => randomFp(r)));
  assert.deepEqual(trips.flat(), []);
  assert.equal(state.fingerprints.length, MONITOR_DEFAULTS.window);
  assert.equal(state.distances.length, MONITOR_DEFAULTS.window);
});

test('exact repeats (retries, a fixed system prompt) are counted but never trip', () => {
  const r = rng(4);
  const fixed = randomFp(r);
  const fps = Array.from({ length: 100 }, (_, i) => (i % 2 ? fixed : randomFp(r)));
  const { trips, state } = run(fps, 'text.simhash64');
  assert.deepEqual(trips.flat(), []);
  assert.equal(state.counters.exactRepeats, 49);
});

test('a sweep whose distances sit on a few values trips grid_distances', () => {
  // Each query moves 12 bits away from the last, far beyond the near-duplicate distance.
  const r = rng(5);
  let fp = randomFp(r);
  const fps = [fp];
  for (let i = 0; i < 30; i++) {
    const order = Array.from({ length: 64 }, (_, k) => k).sort(() => r() - 0.5);
    fp = flipBits(fp, order.slice(0, 12));
    fps.push(fp);
  }
  const { trips } = run(fps);
  assert.ok(trips.at(-1).includes('grid_distances'), JSON.stringify(trips.at(-1)));
  assert.ok(!trips.at(-1).includes('near_duplicates'));
});

test('fingerprints are compared within their kind only', () => {
  const r = rng(6);
  const base = randomFp(r);
  // Alternating kinds with the same bits: nothing near within either kind.
  const obs = Array.from({ length: 40 }, (_, i) => ({ kind: i % 2 ? 'image.dhash64' : 'text.simhash64', hex: i < 2 ? base : randomFp(r) }));
  let state = null;
  for (const o of obs) state = observe(state, { fingerprints: [o] }).state;
  assert.equal(state.counters.exactRepeats, 0);
  assert.equal(state.counters.nearDuplicates, 0);
});

test('a burst of scores just under their threshold trips near_threshold_scores', () => {
  let state = null;
  let last;
  for (let i = 0; i < 12; i++) {
    last = observe(state, { scores: [{ name: 'injection', score: 0.5 + (i % 3) * 0.02, threshold: 0.6 }] });
    state = last.state;
  }
  assert.deepEqual(last.reasons.map((x) => x.rule), ['near_threshold_scores']);
  assert.equal(last.reasons[0].count, 12);
  const first = observe(null, { scores: [{ name: 'injection', score: 0.55, threshold: 0.6 }] });
  assert.equal(first.tripped, false);
});

test('scores far below or above their threshold do not trip', () => {
  let state = null;
  let last;
  for (let i = 0; i < 100; i++) {
    const score = i % 2 ? 0.05 : 0.95;
    last = observe(state, { scores: [{ name: 'injection', score, threshold: 0.6 }] });
    state = last.state;
  }
  assert.equal(last.tripped, false);
  assert.equal(state.scores.length, MONITOR_DEFAULTS.scoreWindow);
  assert.equal(state.counters.nearThreshold, 0);
});

test('malformed observations are skipped, and the input state is not changed', () => {
  const before = emptyMonitorState();
  const snapshot = JSON.stringify(before);
  const r = observe(before, {
    fingerprints: [null, { kind: 'x', hex: 'XYZ' }, { kind: 'x', hex: '0123456789ABCDEF' }, { hex: '0123456789abcdef' }],
    scores: [{ score: Number.NaN, threshold: 0.5 }, { score: 0.4 }, 'nope'],
  });
  assert.equal(JSON.stringify(before), snapshot);
  assert.deepEqual(r.state.fingerprints, []);
  assert.equal(r.state.counters.queries, 1);
  assert.equal(observe(null, null).tripped, false);
});

test('options tune the rules, and the summary holds no fingerprints', () => {
  const r = rng(7);
  const base = randomFp(r);
  const probes = Array.from({ length: 6 }, (_, i) => flipBits(base, [i]));
  const { trips, state } = run(probes, 'image.dhash64', { minSamples: 4 });
  assert.ok(trips.at(-1).includes('near_duplicates'));
  const s = summarize(state);
  assert.equal(s.window.fingerprints, 6);
  assert.ok(!JSON.stringify(s).includes(base));
});

test('the near-duplicate distance is set per fingerprint kind', () => {
  // Ten bits apart: a reworded prompt for SimHash, a different picture for dHash.
  const r = rng(8);
  let fp = randomFp(r);
  const probes = [fp];
  for (let i = 0; i < 20; i++) {
    const order = Array.from({ length: 64 }, (_, k) => k).sort(() => r() - 0.5);
    fp = flipBits(fp, order.slice(0, 10));
    probes.push(fp);
  }
  assert.ok(run(probes, 'text.simhash64').trips.at(-1).includes('near_duplicates'));
  assert.ok(!run(probes, 'image.dhash64').trips.at(-1).includes('near_duplicates'));
  assert.ok(run(probes, 'image.dhash64', { nearDistance: 12 }).trips.at(-1).includes('near_duplicates'));
});
