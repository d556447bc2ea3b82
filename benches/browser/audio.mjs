// Browser bench: Guard.audio on 30 s and 5 min of 44.1 kHz mono speech-like
// sound in headless Chromium, against the browser's own path (decodeAudioData
// at 16 kHz, a BiquadFilter low-pass at 7.5 kHz rendered offline, a WAV written
// in JavaScript), both making a 16 kHz mono 16-bit WAV in the same page.
// Prints medians and their ratios as JSON; exits non-zero on any error.
//
//   node benches/browser/audio.mjs
//
// MMGUARD_BENCH_RUNS=n changes the number of timed runs per path (default 9).
// The resampler's aliasing is measured by the unit tests of src/audio/resample.rs
// (a 12 kHz tone taken to 16 kHz comes out more than 80 dB down).

import { benchRuns, median, round, spread, withBenchPage } from './harness.mjs';

const WARMUPS = 2;

async function main() {
  const RUNS = benchRuns(9);
  await withBenchPage('benches/browser/audio.html', async ({ page, context }) => {
    const raw = await page.evaluate(
      (options) => window.runAudioBench(options),
      { warmups: WARMUPS, runs: RUNS, durations: [30, 300] },
    );
    const result = {
      browser: `Chromium ${context.browser()?.version() ?? ''}`.trim(),
      mmguard: raw.version,
      runs: { warmups: WARMUPS, timed: RUNS, interleaved: true },
    };
    for (const [name, c] of Object.entries(raw.cases)) {
      const m = median(c.ms.mmguard);
      const w = median(c.ms.webaudio);
      result[name] = {
        mmguard_median_ms: round(m),
        webaudio_median_ms: round(w),
        ratio_mmguard_to_webaudio: round(m / w),
        mmguard_ms: spread(c.ms.mmguard),
        webaudio_ms: spread(c.ms.webaudio),
        output_bytes: c.outputs,
        findings: c.findings,
      };
    }
    console.log(JSON.stringify(result, null, 2));
  });
}

main().catch((err) => {
  console.error(`bench failed: ${err.stack ?? err}`);
  process.exitCode = 1;
});
