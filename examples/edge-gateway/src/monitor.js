// Query monitoring against model extraction and adversarial probing, in the
// spirit of PRADA (Juuti et al., 2019): per client, a bounded window of
// compact input fingerprints (mmguard's 64-bit SimHash of a text, dHash of an
// image) and of detector scores, and rules that flag a query stream whose
// distances look systematic rather than natural. Pure functions over plain
// JSON state, no runtime APIs: the Durable Object stores the state, the Node
// tests drive it directly.
//
// The rules, each judged over the window:
// - near_duplicates: each new fingerprint's distance to the nearest earlier
//   one of its kind is recorded; when many of those are small but non-zero,
//   the client is sending perturbed copies of the same input (a search
//   around a decision boundary). Exact repeats (distance 0) are retries or
//   a fixed system prompt, not probing, and are left out.
// - grid_distances: natural inputs give nearest-neighbour distances spread
//   over many values; a scripted sweep concentrates them on a few.
// - near_threshold_scores: many detector scores just below their threshold
//   means someone is tuning inputs to slip under it.

export const MONITOR_DEFAULTS = Object.freeze({
  /** Fingerprints and distances kept per client. */
  window: 128,
  /** Distances needed before the distance rules judge at all. */
  minSamples: 16,
  /**
   * A nearest distance of 1..nearDistance bits (of 64) is a near-duplicate:
   * a number for every kind, or per kind with "*" for the rest. SimHash moves
   * 8-13 bits when one word of a sentence changes and unrelated prompts sit
   * 25-33 apart; dHash moves 0-4 bits for a small patch on an image.
   */
  nearDistance: Object.freeze({ 'text.simhash64': 14, 'image.dhash64': 8, '*': 8 }),
  /** near_duplicates trips when this share of the distances are near-duplicates. */
  nearShare: 0.5,
  /** grid_distances trips when gridValues distinct distances ... */
  gridValues: 2,
  /** ... cover this share of the distances. */
  gridShare: 0.8,
  /** A score in [threshold - scoreMargin, threshold) is near its threshold. */
  scoreMargin: 0.1,
  /** Scores kept per client for the near-threshold rule. */
  scoreWindow: 32,
  /** near_threshold_scores trips at this many near-threshold scores in the window. */
  scoreBurst: 8,
});

const HEX64 = /^[0-9a-f]{16}$/;

export function emptyMonitorState() {
  return {
    fingerprints: [],
    distances: [],
    scores: [],
    counters: { queries: 0, fingerprints: 0, exactRepeats: 0, nearDuplicates: 0, scores: 0, nearThreshold: 0, trips: 0 },
  };
}

function popcount32(x) {
  let v = x >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Hamming distance between two 64-bit fingerprints written as 16 hex digits. */
export function hamming(a, b) {
  const hi = parseInt(a.slice(0, 8), 16) ^ parseInt(b.slice(0, 8), 16);
  const lo = parseInt(a.slice(8), 16) ^ parseInt(b.slice(8), 16);
  return popcount32(hi) + popcount32(lo);
}

const keepLast = (list, n) => (list.length > n ? list.slice(list.length - n) : list);

// The distance from `fp` to the nearest earlier fingerprint of its kind, or null for the first of its kind.
function nearestDistance(earlier, fp) {
  let best = null;
  for (const e of earlier) {
    if (e.kind !== fp.kind) continue;
    const d = hamming(e.hex, fp.hex);
    if (best === null || d < best) best = d;
  }
  return best;
}

/** The near-duplicate distance for fingerprints of `kind` under `option` (a number, or an object by kind). */
export function nearDistanceFor(option, kind) {
  if (typeof option === 'number') return option;
  return option?.[kind] ?? option?.['*'] ?? 0;
}

function distanceReasons(distances, o) {
  if (distances.length < o.minSamples) return [];
  const reasons = [];
  const near = distances.filter((x) => x.d <= nearDistanceFor(o.nearDistance, x.kind)).length;
  const nearShare = near / distances.length;
  if (nearShare >= o.nearShare) {
    reasons.push({ rule: 'near_duplicates', share: round(nearShare), samples: distances.length });
  }
  // Counted per kind and distance: the kinds' scales differ.
  const counts = new Map();
  for (const { kind, d } of distances) counts.set(`${kind} ${d}`, (counts.get(`${kind} ${d}`) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, o.gridValues);
  const gridShare = top.reduce((n, [, c]) => n + c, 0) / distances.length;
  if (gridShare >= o.gridShare) {
    const values = top.map(([key]) => Number(key.split(' ')[1])).sort((a, b) => a - b);
    reasons.push({ rule: 'grid_distances', values, share: round(gridShare), samples: distances.length });
  }
  return reasons;
}

const round = (x) => Math.round(x * 1000) / 1000;

/**
 * Records one query's observation in `state` and judges the window.
 * `observation` is { fingerprints: [{ kind, hex }], scores: [{ name, score,
 * threshold }] }; malformed entries are skipped. Returns { state, tripped,
 * reasons } with a new state (the old one is not changed).
 */
export function observe(state, observation, options = {}) {
  const o = { ...MONITOR_DEFAULTS, ...options };
  const s = state ?? emptyMonitorState();
  let fingerprints = s.fingerprints;
  let distances = s.distances;
  let scores = s.scores;
  const counters = { ...s.counters, queries: s.counters.queries + 1 };

  for (const fp of observation?.fingerprints ?? []) {
    if (!fp || typeof fp.kind !== 'string' || typeof fp.hex !== 'string' || !HEX64.test(fp.hex)) continue;
    const d = nearestDistance(fingerprints, fp);
    counters.fingerprints++;
    if (d === 0) counters.exactRepeats++;
    if (d !== null && d > 0) {
      distances = [...distances, { kind: fp.kind, d }];
      if (d <= nearDistanceFor(o.nearDistance, fp.kind)) counters.nearDuplicates++;
    }
    fingerprints = keepLast([...fingerprints, { kind: fp.kind, hex: fp.hex }], o.window);
  }
  distances = keepLast(distances, o.window);

  for (const sc of observation?.scores ?? []) {
    if (!sc || !Number.isFinite(sc.score) || !Number.isFinite(sc.threshold)) continue;
    const near = sc.score < sc.threshold && sc.score >= sc.threshold - o.scoreMargin;
    counters.scores++;
    if (near) counters.nearThreshold++;
    scores = [...scores, near ? 1 : 0];
  }
  scores = keepLast(scores, o.scoreWindow);

  const reasons = distanceReasons(distances, o);
  const nearScores = scores.reduce((n, x) => n + x, 0);
  if (nearScores >= o.scoreBurst) reasons.push({ rule: 'near_threshold_scores', count: nearScores, samples: scores.length });
  const tripped = reasons.length > 0;
  if (tripped) counters.trips++;
  return { state: { fingerprints, distances, scores, counters }, tripped, reasons };
}

/** What the admin endpoint shows: counters and the window's current shape, not the fingerprints. */
export function summarize(state) {
  const s = state ?? emptyMonitorState();
  return {
    counters: s.counters,
    window: { fingerprints: s.fingerprints.length, distances: s.distances.length, scores: s.scores.length },
    recentDistances: s.distances.slice(-16).map((x) => x.d),
  };
}
