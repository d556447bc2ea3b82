// Running an upload's parts through mmguard with the client's policy, and
// what comes out of it: the sanitized body to forward, the compact summary
// for the x-mmguard-summary header, and the monitor's observation
// (fingerprints and detector scores) of the query.

import { Guard, MmguardError, TextDetector, init } from 'mmguard';
import textModel from 'mmguard/models/text-injection.onnx';
import { GatewayError } from './errors.js';

// One Guard per policy name per isolate: parsing a policy happens once.
const guards = new Map();
let textDetector = null;

// The detector scores the monitor watches: the report's score, the policy
// entry holding its threshold, and the finding that carries both once reached.
const SCORES = [
  { name: 'injection', present: 'injection_model', detector: 'text', finding: 'text.injection_score' },
  { name: 'image_adversarial', present: 'image_adversarial', detector: 'image_adversarial', finding: 'image.adversarial_score' },
  { name: 'image_typographic', present: 'image_typographic', detector: 'image_typographic', finding: 'image.typographic' },
  { name: 'audio_adversarial', present: 'audio_adversarial', detector: 'audio', finding: 'audio.adversarial_score' },
];

/**
 * The guard for `policyName`: the configured mmguard policy with fingerprints
 * switched on, and the text detector (its model imported as a Data module).
 * The image and audio detectors need the engine module, which workerd cannot
 * load at run time, so they do not run here.
 */
export async function guardFor(config, policyName) {
  if (!Object.hasOwn(config.policies, policyName)) {
    throw new GatewayError(403, 'auth.policy', `the token names policy "${policyName}", which this gateway does not have`);
  }
  const cached = guards.get(policyName);
  if (cached && cached.source === config.policies[policyName]) return cached;
  await init();
  textDetector ??= new TextDetector(textModel);
  let guard;
  try {
    guard = new Guard({ ...config.policies[policyName], fingerprint: true }, { detectors: { text: textDetector } });
  } catch (e) {
    const why = e instanceof MmguardError ? `${e.code}: ${e.message}` : String(e);
    throw new GatewayError(503, 'gateway.misconfigured', `policy "${policyName}" is not a valid mmguard policy (${why})`);
  }
  // Thresholds the policy leaves to the model are learned from the findings
  // that carry them (see thresholdFor).
  const detectors = guard.policy().detectors;
  const thresholds = Object.fromEntries(SCORES.map((s) => [s.name, detectors[s.detector]?.threshold ?? null]));
  // A replaced guard is left to the garbage collector, not freed: a request
  // still in flight may be using it.
  const entry = { guard, thresholds, source: config.policies[policyName] };
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
    .map((r) => ({ name: r.name, kind: r.kind, verdict: r.report.verdict, codes: [...new Set(r.report.findings.map((f) => f.code))].slice(0, 16) }));
  return { verdict: overallVerdict(results), parts: results.length, flagged: parts };
}

export function summaryHeader(results) {
  return encodeURIComponent(JSON.stringify(summary(results)));
}

// The threshold a score is compared with: the finding's when it reached it,
// else the policy's, else one learned from an earlier finding of this guard.
function thresholdFor(entry, spec, report) {
  const finding = report.findings.find((f) => f.code === spec.finding && Number.isFinite(f.threshold));
  if (finding) entry.thresholds[spec.name] ??= finding.threshold;
  return finding?.threshold ?? entry.thresholds[spec.name];
}

/**
 * The monitor's view of one query: the fingerprints of its images and of its
 * texts of at least `minTextChars` characters, and the detector scores that
 * ran, each with its threshold.
 */
export function observation(entry, results, minTextChars) {
  const fingerprints = [];
  const scores = [];
  for (const r of results) {
    const fp = r.report.fingerprint;
    if (fp && (r.kind !== 'text' || r.text.length >= minTextChars)) fingerprints.push({ kind: fp.kind, hex: fp.hex });
    for (const spec of SCORES) {
      if (r.report.scores?.[spec.present] === undefined) continue;
      const threshold = thresholdFor(entry, spec, r.report);
      if (Number.isFinite(threshold)) scores.push({ name: spec.name, score: r.report.scores[spec.name], threshold });
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
