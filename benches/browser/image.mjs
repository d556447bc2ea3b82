// Browser bench: Guard.image on a 12-megapixel JPEG carrying EXIF (camera
// make and model, a GPS position) in headless Chromium, against the browser's
// own path (createImageBitmap, a canvas, convertToBlob) and against the
// browser-image-compression library, all three making a 2048-px JPEG at
// quality 85 in the same page. Prints medians and their ratios as JSON; exits
// non-zero on any error.
//
//   node benches/browser/image.mjs
//
// MMGUARD_BENCH_PHOTO=file.jpg replaces the photo the input is made from
// (default: Elephants_5640x3172.jpg from Debian's mate-backgrounds);
// MMGUARD_BENCH_RUNS=n changes the number of timed runs per path (default 9).
//
// The page builds the input once: the photo scaled and cropped to 4000×3000,
// encoded by Chromium as JPEG q92, with an EXIF APP1 segment inserted after
// SOI. It checks that the guard reports image.gps and image.metadata on it
// before timing. It also times a 3×3 median squeeze on 2 MP: the same PNG
// through guard.image with and without it. Each timed call starts from the same File and covers reading
// it, decoding, scaling and encoding; mmguard runs with the default policy
// except for JPEG output at quality 85.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PHOTO, PHOTO_POLICY, benchRuns, median, round, spread, withBenchPage } from './harness.mjs';

const WARMUPS = 2;


async function main() {
  const RUNS = benchRuns(9);
  const photo = readFileSync(PHOTO);

  await withBenchPage('benches/browser/image.html', async ({ page, context }) => {
    // The photo lies outside the served root, so it crosses as base64.
    const raw = await page.evaluate(
      ([b64, options]) => window.runImageBench(b64, options),
      [photo.toString('base64'), { warmups: WARMUPS, runs: RUNS, policy: PHOTO_POLICY }],
    );

    const medians = Object.fromEntries(Object.entries(raw.ms).map(([name, values]) => [name, median(values)]));
    const result = {
      browser: `Chromium ${context.browser()?.version() ?? ''}`.trim(),
      mmguard: raw.version,
      browser_image_compression: raw.bicVersion,
      photo: { file: path.basename(PHOTO), ...raw.source },
      input: raw.input,
      runs: { warmups: WARMUPS, timed: RUNS, interleaved: true },
      outputs: raw.outputs,
      canvas_median_ms: round(medians.canvas),
      bic_median_ms: round(medians.bic),
      mmguard_median_ms: round(medians.mmguard),
      ratio_mmguard_to_canvas: round(medians.mmguard / medians.canvas),
      ratio_mmguard_to_bic: round(medians.mmguard / medians.bic),
      canvas_ms: spread(raw.ms.canvas),
      bic_ms: spread(raw.ms.bic),
      mmguard_ms: spread(raw.ms.mmguard),
      mmguard_megapixels_per_s: round((raw.input.width * raw.input.height) / 1e6 / (medians.mmguard / 1000)),
      verdict: raw.verdict,
      findings: raw.findings,
      // 2 MP (1632×1224 PNG): guard.image with and without a 3×3 median.
      median_3x3_2mp: {
        with_median_ms: round(median(raw.median2mp.median)),
        without_median_ms: round(median(raw.median2mp.plain)),
        median_cost_ms: round(median(raw.median2mp.median) - median(raw.median2mp.plain)),
      },
      timer_full_resolution: raw.crossOriginIsolated,
    };
    console.log(JSON.stringify(result, null, 2));
  });
}

main().catch((err) => {
  console.error(`bench failed: ${err.stack ?? err}`);
  process.exitCode = 1;
});
