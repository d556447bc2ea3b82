// Node example: sanitize text from the command line with the npm package.
// Run after `make wasm`:  node examples/node/sanitize.mjs "some text"
import { init, Guard, MmguardError } from '../../pkg/node.js';

await init();
const input = process.argv[2] ?? 'Hi\u202Eecnarf\u202C! \u{E0073}\u{E0065}\u{E0063}\u{E0072}\u{E0065}\u{E0074}';
try {
  const guard = new Guard({ text: { pii: { action: 'sanitize' } } });
  const { text, report } = guard.text(input);
  console.log(report.verdict, JSON.stringify(text));
  for (const f of report.findings) console.log(`${f.severity}\t${f.code}\t${f.message}`);
} catch (e) {
  if (e instanceof MmguardError) console.error(`${e.code}: ${e.message}`);
  process.exitCode = 2;
}
