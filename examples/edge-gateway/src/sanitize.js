// Running an upload's parts through mmguard with the client's policy, and
// what comes out of it: the sanitized body to forward, the compact summary
// for the x-mmguard-summary header, and the monitor's observation
// (fingerprints and detector scores) of the query.

import { AudioDetector, Guard, ImageDetector, MmguardError, TextDetector, init } from 'mmguard';
import 'mmguard/workerd-engine';
import textModel from 'mmguard/models/text-injection.onnx';
import imageAdversarialModel from 'mmguard/models/image-adversarial.onnx';
import imageTypographicModel from 'mmguard/models/image-typographic.onnx';
import audioModel from 'mmguard/models/audio-adversarial.onnx';
import { GatewayError } from './errors.js';

// One Guard per policy name per isolate: parsing a policy happens once.
const guards = new Map();
// The detectors, made once per isolate and shared by every guard (the
// promise, so that concurrent first requests make them once).
let detectors = null;

async function loadDetectors() {
  const [imageAdversarial, imageTypographic, audio] = await Promise.all([
    ImageDetector.create(imageAdversarialModel),
    ImageDetector.create(imageTypographicModel),
    AudioDetector.create(audioModel),
  ]);
  return { text: new TextDetector(textModel), imageAdversarial, imageTypographic, audio };
}

// The detector scores the monitor watches; the report gives each beside the
// threshold it was judged against (scores.thresholds).
const SCORES = ['injection', 'image_adversarial', 'image_typographic', 'audio_adversarial'];

/**
 * The guard for `policyName`: the configured mmguard policy with fingerprints
 * switched on, and the four detectors (their models imported as Data modules,
 * the image and audio ones run by the engine that mmguard/workerd-engine
 * brings); the policy's detectors.* actions say which run.
 */
export async function guardFor(config, policyName) {
  if (!Object.hasOwn(config.policies, policyName)) {
    throw new GatewayError(403, 'auth.policy', `the token names policy "${policyName}", which this gateway does not have`);
  }
  const cached = guards.get(policyName);
  if (cached && cached.source === config.policies[policyName]) return cached;
  await init();
  detectors ??= loadDetectors();
  // A failed load is forgotten, so the next request tries again.
  const loaded = await detectors.catch((e) => {
    detectors = null;
    throw e;
  });
  let guard;
  try {
    guard = new Guard({ ...config.policies[policyName], fingerprint: true }, { detectors: loaded });
  } catch (e) {
    const why = e instanceof MmguardError ? `${e.code}: ${e.message}` : String(e);
    throw new GatewayError(503, 'gateway.misconfigured', `policy "${policyName}" is not a valid mmguard policy (${why})`);
  }
  // A replaced guard is left to the garbage collector, not freed: a request
  // still in flight may be using it.
  const entry = { guard, source: config.policies[policyName] };
  guards.set(policyName, entry);
  return entry;
}

async function sanitizePart(guard, part) {
  try {
    if (part.kind === 'text') {
      const { text, report } = guard.text(part.text);
      return { ...part, output: text, report };
    }
    const run = part.kind === 'image' ? guard.image.bind(guard) : guard.audio.bind(guard);
    const { bytes, mimeType, report } = await run(part.bytes, { type: part.type });
    return { ...part, output: bytes, mimeType, report };
  } catch (e) {
    // Malformed, unsupported or over a limit: the input's fault, so a 422
    // that names mmguard's code, never a 500.
    const code = e instanceof MmguardError ? e.code : 'internal.error';
    throw new GatewayError(422, 'input.rejected', `part "${part.name}" was refused by mmguard (${code})`, {
      extra: { part: part.name, mmguard: code },
    });
  }
}

/** Every part, sanitized in order; results carry `output` (null when blocked) and `report`. */
export async function sanitizeParts(entry, parts) {
  const results = [];
  for (const part of parts) results.push(await sanitizePart(entry.guard, part));
  return results;
}

const RANK = { clean: 0, modified: 1, blocked: 2 };

export function overallVerdict(results) {
  return results.reduce((v, r) => (RANK[r.report.verdict] > RANK[v] ? r.report.verdict : v), 'clean');
}

/** What the x-mmguard-summary header holds (URI-encoded JSON): the verdict, and per part that has findings its codes. */
export function summary(results) {
  const parts = results
    .filter((r) => r.report.findings.length > 0 || r.report.verdict !== 'clean')
    .slice(0, 16)
    .map((r) => ({ name: r.name.slice(0, 64), kind: r.kind, verdict: r.report.verdict, codes: [...new Set(r.report.findings.map((f) => f.code))].slice(0, 16) }));
  return { verdict: overallVerdict(results), parts: results.length, flagged: parts };
}

export function summaryHeader(results) {
  return encodeURIComponent(JSON.stringify(summary(results)));
}

/**
 * The monitor's view of one query: the fingerprints of its images and of its
 * texts of at least `minTextChars` characters, and the detector scores that
 * ran, each with its threshold.
 */
export function observation(results, minTextChars) {
  const fingerprints = [];
  const scores = [];
  for (const r of results) {
    const fp = r.report.fingerprint;
    if (fp && (r.kind !== 'text' || r.text.length >= minTextChars)) fingerprints.push({ kind: fp.kind, hex: fp.hex });
    const thresholds = r.report.scores?.thresholds ?? {};
    for (const name of SCORES) {
      const threshold = thresholds[name];
      if (Number.isFinite(threshold)) scores.push({ name, score: r.report.scores[name], threshold });
    }
  }
  return { fingerprints, scores };
}

const EXTENSIONS = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif', 'audio/wav': 'wav' };

function base64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * The body to forward, built only from sanitized outputs: a new form (files
 * renamed after their part, so a client's file name never travels) or the
 * JSON with every string replaced by its sanitized value.
 */
export function forwardBody(upload, results) {
  if (upload.format === 'json') {
    for (const r of results) r.set(r.kind === 'text' ? r.output : `data:${r.mimeType};base64,${base64(r.output)}`);
    return { body: JSON.stringify(upload.root()), contentType: 'application/json' };
  }
  const form = new FormData();
  for (const r of results) {
    if (r.kind === 'text' && !r.file) form.append(r.name, r.output);
    else if (r.kind === 'text') form.append(r.name, new File([r.output], `${r.name}.txt`, { type: 'text/plain; charset=utf-8' }));
    else form.append(r.name, new File([r.output], `${r.name}.${EXTENSIONS[r.mimeType] ?? 'bin'}`, { type: r.mimeType }));
  }
  return { body: form, contentType: null };
}
