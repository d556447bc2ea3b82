// Browser bench: GuardWorker (the Guard API in a pool of module Web Workers)
// against Guard on the main thread, in headless Chromium, on the 12-megapixel
// JPEG carrying EXIF that image.mjs uses and with its policy (JPEG output at
// quality 85). Prints medians and their ratios as JSON; exits non-zero on any
// error.
//
//   node benches/browser/worker.mjs
//
// MMGUARD_BENCH_PHOTO=file.jpg replaces the photo the input is made from
// (default: Elephants_5640x3172.jpg from Debian's mate-backgrounds);
// MMGUARD_BENCH_RUNS=n changes the number of timed runs per path (default 9).
//
// What it measures, after checking that both paths report image.gps and
// image.metadata on the input:
//
// - image: wall time of one image() call from the same File, Guard on the
//   main thread against a GuardWorker of poolSize 1, interleaved; the ratio
//   worker/main is the worker's overhead (the File is sent to the worker by
//   reference, the output's buffer comes back transferred, the report cloned).
// - frames: during each of those calls, the longest gap between
//   requestAnimationFrame callbacks on the main thread (the loop starts before
//   the call and stops at the first frame after it). On the main thread the
//   page cannot paint for about the whole call; with the worker the gap stays
//   near one frame interval, which idle_frame_interval_ms gives for reference.
// - throughput: the time to finish 4 images submitted at once
//   (Promise.all) to a GuardWorker of poolSize 1 and one of poolSize 2,
//   interleaved. Two workers can at best halve it, and only with two idle
//   cores; the output says how many the machine has.
// - text: text() on a 1,000-character text, 200 calls each, alternating
//   main thread and worker call by call; the difference of the medians is the
//   cost of one message round trip.
//
// create_ms (the time GuardWorker.create took, each worker fetching and
// compiling its own wasm module) is one sample, not a median.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { PHOTO, PHOTO_POLICY, benchRuns, median, round, spread, withBenchPage } from './harness.mjs';

const WARMUPS = 2;
const BATCH_SIZE = 4;
const TEXT_CALLS = 200;
const TEXT_CHARS = 1000;

async function main() {
  const RUNS = benchRuns(9);
  const photo = readFileSync(PHOTO);

  await withBenchPage('benches/browser/worker.html', async ({ page, context }) => {
    // The photo lies outside the served root, so it crosses as base64.
    const raw = await page.evaluate(
      ([b64, options]) => window.runWorkerBench(b64, options),
      [
        photo.toString('base64'),
        { warmups: WARMUPS, runs: RUNS, policy: PHOTO_POLICY, batchSize: BATCH_SIZE, textCalls: TEXT_CALLS, textChars: TEXT_CHARS },
      ],
    );

    const image = { main: median(raw.ms.main), worker: median(raw.ms.worker) };
    const gap = { main: median(raw.gaps.main), worker: median(raw.gaps.worker) };
    const batch = { pool1: median(raw.batch.pool1), pool2: median(raw.batch.pool2) };
    const text = { main: median(raw.text.ms.main), worker: median(raw.text.ms.worker) };
    const cores = availableParallelism();
    const result = {
      browser: `Chromium ${context.browser()?.version() ?? ''}`.trim(),
      mmguard: raw.version,
      simd: raw.simd,
      cores,
      browser_hardware_concurrency: raw.hardwareConcurrency,
      photo: { file: path.basename(PHOTO), ...raw.source },
      input: raw.input,
      output: raw.output,
      outputs_identical: raw.outputsIdentical,
      verdict: raw.verdict,
      findings: raw.findings,
      runs: { warmups: WARMUPS, timed: RUNS, interleaved: true },
      create_ms: { pool_size_1: round(raw.createMs.pool1), pool_size_2: round(raw.createMs.pool2) },

      // 1: one image() call, wall time.
      main_median_ms: round(image.main),
      worker_median_ms: round(image.worker),
      ratio_worker_to_main: round(image.worker / image.main),
      worker_overhead_ms: round(image.worker - image.main),
      main_ms: spread(raw.ms.main),
      worker_ms: spread(raw.ms.worker),

      // 2: the longest gap between frames on the main thread during that call.
      idle_frame_interval_ms: round(median(raw.idleGaps)),
      main_longest_frame_gap_median_ms: round(gap.main),
      worker_longest_frame_gap_median_ms: round(gap.worker),
      main_longest_frame_gap_ms: spread(raw.gaps.main),
      worker_longest_frame_gap_ms: spread(raw.gaps.worker),

      // 3: BATCH_SIZE images at once through Promise.all.
      throughput: {
        images: BATCH_SIZE,
        note: `poolSize 2 can at best halve the time with 2 idle cores; this machine has ${cores}`,
        pool_size_1_median_ms: round(batch.pool1),
        pool_size_2_median_ms: round(batch.pool2),
        ratio_pool2_to_pool1: round(batch.pool2 / batch.pool1),
        pool_size_1_images_per_s: round(BATCH_SIZE / (batch.pool1 / 1000)),
        pool_size_2_images_per_s: round(BATCH_SIZE / (batch.pool2 / 1000)),
        pool_size_1_ms: spread(raw.batch.pool1),
        pool_size_2_ms: spread(raw.batch.pool2),
      },

      // 4: text() per call; the difference is one message round trip.
      text: {
        chars: raw.text.chars,
        calls: raw.text.calls,
        warmups: raw.text.warmups,
        verdict: raw.text.verdict,
        outputs_identical: raw.text.identical,
        main_median_ms: round(text.main, 3),
        worker_median_ms: round(text.worker, 3),
        round_trip_ms: round(text.worker - text.main, 3),
        main_ms: { min: round(Math.min(...raw.text.ms.main), 3), max: round(Math.max(...raw.text.ms.main), 3) },
        worker_ms: { min: round(Math.min(...raw.text.ms.worker), 3), max: round(Math.max(...raw.text.ms.worker), 3) },
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
