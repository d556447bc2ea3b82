// Where Guard.text spends its time in headless Chromium: runs it on a text
// file under the V8 CPU profiler and prints the functions with the most self
// time (wasm functions by their Rust names when the module keeps its name
// section). For finding what to speed up, not for quoting: the profiler slows
// everything a little, and `run.mjs` gives the figures.
//
//   MMGUARD_BENCH_DUMP=/tmp/corpus.txt node benches/browser/run.mjs  # the bench input
//   CARGO_PROFILE_RELEASE_STRIP=false make wasm                      # keep function names
//   node benches/browser/profile.mjs /tmp/corpus.txt [runs]
//
// MMGUARD_BENCH_POLICY='{...}' replaces the policy (JSON), as in `run.mjs`.

import { readFileSync } from 'node:fs';
import { withBenchPage } from './harness.mjs';

const [file, runsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node benches/browser/profile.mjs TEXT_FILE [runs]');
  process.exit(2);
}
const input = readFileSync(file, 'utf8');
const runs = Number(runsArg ?? 20);
const policy = process.env.MMGUARD_BENCH_POLICY
  ? JSON.parse(process.env.MMGUARD_BENCH_POLICY)
  : { limits: { text: { max_chars: 16_000_000, max_bytes: 64_000_000 } } };

await withBenchPage('benches/browser/bench.html', async ({ page, context }) => {
  // Warm up outside the profile (tables and automata are built on first use).
  await page.evaluate(([text, options]) => window.runBench(text, options), [input, { warmups: 2, runs: 1, policy }]);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  await page.evaluate(([text, options]) => window.runBench(text, options), [input, { warmups: 0, runs, policy }]);
  const { profile } = await cdp.send('Profiler.stop');

  // Self time per function: samples landing in each node, summed by name.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, k) => {
    const node = byId.get(id);
    const name = node.callFrame.functionName || `(${node.callFrame.url.split('/').pop() || 'program'})`;
    self.set(name, (self.get(name) ?? 0) + (deltas[k + 1] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  console.log(`${runs} runs, ${(total / runs).toFixed(2)} ms sampled per run`);
  for (const [name, ms] of rows) {
    console.log(`${(ms / runs).toFixed(3).padStart(8)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name.slice(0, 110)}`);
  }
});
