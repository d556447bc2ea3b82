// Compiled by `tsc -p pkg/tsconfig.json` (never run): proves that typical code
// type-checks against index.d.ts and that common mistakes do not. Each
// `@ts-expect-error` fails the check if the line below it ever compiles.

import {
  Guard,
  TextDetector,
  MmguardError,
  defaultPolicy,
  init,
  version,
  type Action,
  type AudioOptions,
  type AudioResult,
  type AudioStats,
  type Finding,
  type FindingCode,
  type ImageResult,
  type ImageStats,
  type Policy,
  type PolicyInput,
  type Report,
  type TextResult,
  type Verdict,
} from "mmguard";

export async function sanitize(input: string): Promise<string | null> {
  await init();
  const strict: PolicyInput = {
    text: {
      normalization: "nfkc",
      bidi: { action: "block" },
      injection: { threshold: 0.5 },
      secrets: { action: "sanitize" },
    },
    limits: { text: { max_chars: 10_000 } },
  };
  const guard = new Guard(strict);
  try {
    const result: TextResult = guard.text(input);
    const report: Report = result.report;
    const verdict: Verdict = report.verdict;
    for (const finding of report.findings) describe(finding);
    if (verdict === "blocked") return null;
    return result.text;
  } catch (err) {
    if (err instanceof MmguardError && err.code === "limit.text_chars") return null;
    throw err;
  } finally {
    guard.free();
  }
}

function describe(finding: Finding): string {
  const code: FindingCode = finding.code;
  const where = finding.spans.map((s) => `${s.start}..${s.end} (bytes ${s.byte_start}..${s.byte_end})`);
  const hidden = finding.payload ? ` hiding ${JSON.stringify(finding.payload.text)} via ${finding.payload.encodings.join("+")}` : "";
  const label: string | undefined = finding.label;
  return `${code} [${finding.severity}] ${finding.message} ${label ?? ""} at ${where.join(", ")}${hidden}`;
}

export function effective(): [Policy, string, Action, number] {
  const policy = defaultPolicy();
  return [new Guard().policy(), version(), policy.text.bidi.action, policy.limits.text.max_chars];
}

export const accepted: PolicyInput[] = [{}, { text: {} }, { limits: {} }, { text: { bidi: { mode: "isolate" } } }];
export const noPolicy = [new Guard(), new Guard(null)];

// A typo must not compile, just as the wasm side refuses it at run time.
// @ts-expect-error unknown key "bidii"
export const typo: PolicyInput = { text: { bidii: { action: "block" } } };

// @ts-expect-error "remove" is not an Action
export const badAction: PolicyInput = { text: { invisible: { action: "remove" } } };

// @ts-expect-error a Check needs its action: it has no default of its own
export const missingAction: PolicyInput = { text: { pii: {} } };

// @ts-expect-error limits are numbers
export const stringLimit: PolicyInput = { limits: { text: { max_chars: "5" } } };

// @ts-expect-error text() takes a string
export const notText = new Guard().text(42);

export function narrowText(r: TextResult): string {
  // @ts-expect-error text may be null (blocked), so it must be checked first
  const s: string = r.text;
  return s;
}

export async function sanitizeUpload(file: File): Promise<Blob | null> {
  const guard = new Guard({ image: { resize: { max_side: 1024 }, output: { format: "webp" } }, limits: { image: { max_pixels: 24_000_000 } } });
  const result: ImageResult = await guard.image(file, { type: file.type });
  const stats: ImageStats | undefined = result.report.image;
  const where = result.report.findings.map((f) => `${f.code}@${f.bytes?.start ?? "-"} ${f.score ?? ""}`);
  void [stats?.output?.format, where];
  if (result.bytes === null || result.mimeType === null) return null;
  return new Blob([result.bytes], { type: result.mimeType });
}

export const imagePolicies: PolicyInput[] = [
  { image: { hidden_pixels: { mode: "flatten", background: [0, 0, 0] } } },
  { image: { scaling_attack: { action: "block", sizes: [224, 448] } } },
  { image: { metadata: { gps: "block", orientation: "ignore", icc: "convert" } } },
  { image: { squeeze: { bit_depth: 5, median: "2x2", jpeg_quality: 75 }, steganography: { action: "block" } } },
];

// @ts-expect-error "gif" is not an output format
export const gifOutput: PolicyInput = { image: { output: { format: "gif" } } };

// @ts-expect-error image() takes bytes or a Blob, not a string
export const notBytes = new Guard().image("photo.png");

export async function sanitizeRecording(file: File): Promise<Blob | null> {
  const guard = new Guard({
    audio: { output: { sample_rate: 22_050, channels: "keep" }, squeeze: { mu_law: true }, ultrasonic: { threshold_db: -40 } },
    limits: { audio: { max_seconds: 300 } },
  });
  const shares: number[] = [];
  const result: AudioResult = await guard.audio(file, { type: "memo.wav", onProgress: (share) => shares.push(share) });
  const stats: AudioStats | undefined = result.report.audio;
  void [stats?.above_18k_db, stats?.output?.sample_rate, result.duration];
  if (result.bytes === null) return null;
  return new Blob([result.bytes], { type: "audio/wav" });
}

// @ts-expect-error onProgress takes a function
export const badProgress: AudioOptions = { onProgress: 0.5 };
// @ts-expect-error "mp3" is not an audio output format
export const mp3Output: PolicyInput = { audio: { output: { format: "mp3" } } };

export async function scorePrompt(prompt: string, model: Uint8Array): Promise<number | undefined> {
  const guard = await Guard.create({ detectors: { text: { action: "block", threshold: 0.8 } } });
  const shared = new TextDetector(model);
  const other = new Guard(null, { detectors: { text: shared } });
  const none = await Guard.create(null, { detectors: { text: null } });
  void [other, none];
  const { report } = guard.text(prompt);
  const finding = report.findings.find((f) => f.code === "text.injection_score");
  void [finding?.score, finding?.threshold, report.scores.injection];
  return report.scores.injection_model;
}

// @ts-expect-error a score cannot be given a mode
export const badDetector: PolicyInput = { detectors: { text: { mode: "remove" } } };

// The opt-in engine entry for workerd resolves (a side effect only).
import "mmguard/workerd-engine";

// GuardWorker and guardUpload: the same shapes as Guard, every call a promise.
import { GuardWorker, guardUpload, simdLoaded, simdSupported, type UploadBlockedError } from "mmguard";

export async function offTheMainThread(file: File, form: FormData, signal: AbortSignal): Promise<FormData> {
  const guard = await GuardWorker.create({ text: { pii: { action: "sanitize" } } }, { poolSize: 2 });
  const image: ImageResult = await guard.image(file, { signal, transfer: false });
  const audio: AudioResult = await guard.audio(file, { onProgress: (share: number) => void share });
  const text: TextResult = await guard.text("hi", { signal });
  const policy: Policy = await guard.policy();
  void [image, audio, text, policy, guard.version, simdSupported(), simdLoaded()];
  // @ts-expect-error: calls return promises, not results
  const sync: TextResult = guard.text("hi");
  void sync;
  // @ts-expect-error: the pool size is a number
  await GuardWorker.create(null, { poolSize: "2" });
  await init(undefined, { simd: false });
  try {
    const { body } = await guardUpload(guard, form);
    const single = await guardUpload(guard, file, { onBlocked: "drop" });
    void single.body?.name;
    guard.terminate();
    return body;
  } catch (err) {
    if (err instanceof MmguardError && err.code === "upload.blocked") {
      const reports = (err as UploadBlockedError).reports;
      void reports[0]?.report.verdict;
    }
    throw err;
  }
}
