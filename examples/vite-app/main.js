// The example's script: every file and text field of the form goes through
// mmguard before it would be uploaded, and the page lists what would be sent.
// The guard runs in the package's Web Worker, so the page stays responsive
// while a large photo or recording is being sanitized.
import { GuardWorker, MmguardError, guardUpload } from 'mmguard';

// The default policy, except that a credential (an API key, a private key)
// in any text blocks the whole upload instead of being redacted from it.
const POLICY = { text: { secrets: { action: 'block' } } };

const form = document.querySelector('#upload');
const status = document.querySelector('#status');
const sent = document.querySelector('#sent');

function setStatus(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

// One guard for the page's lifetime: creating it loads the WebAssembly module
// and the policy's models once, not at every submit.
let guard;
try {
  guard = await GuardWorker.create(POLICY, { poolSize: 1 });
  form.querySelector('button').disabled = false;
  setStatus('ready', 'Ready.');
} catch (err) {
  // E.g. init.failed: the server did not send the .wasm file.
  setStatus('error', `mmguard could not start: ${err.message}`);
  throw err;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  sent.replaceChildren();
  setStatus('working', 'Sanitizing…');
  try {
    // An empty file input's placeholder part is left out by guardUpload.
    const { body, reports } = await guardUpload(guard, new FormData(form));
    // A real app would now send `body` instead of the form's own data:
    //   await fetch('/api/upload', { method: 'POST', body });
    // reports[i] is { name, filename?, report } for the form's i-th part.
    [...body.entries()].forEach(([name, value], i) => sent.append(describe(name, value, reports[i].report)));
    setStatus('done', 'Sanitized. This is what would be uploaded:');
  } catch (err) {
    if (!(err instanceof MmguardError)) throw err;
    if (err.code === 'upload.blocked') {
      // Nothing is sent; the reports say which part was blocked and why.
      for (const { name, filename, report } of err.reports) sent.append(describe(name, filename, report));
      setStatus('blocked', 'Blocked: nothing was uploaded.');
    } else {
      // upload.unsupported (neither an image, a recording nor text), or a file
      // the guard could not read (a broken image, one over the policy's limits).
      setStatus('error', `Not uploaded: ${err.message}`);
    }
  }
});

// One list item per form field: its name, what would be sent, the verdict and
// the codes of the findings (data attributes too, for scripts and tests).
function describe(name, value, report) {
  const item = document.createElement('li');
  item.dataset.name = name;
  item.dataset.verdict = report.verdict;
  item.dataset.codes = report.findings.map((f) => f.code).join(' ');
  const summary = `${report.verdict}${report.findings.length ? `: ${item.dataset.codes}` : ''}`;
  if (value instanceof File) {
    // The sanitized file, downloadable as it would be uploaded.
    const link = document.createElement('a');
    link.href = URL.createObjectURL(value);
    link.download = value.name;
    link.textContent = value.name;
    item.append(link, ` (${value.type}, ${value.size} bytes) — ${summary}`);
  } else if (report.verdict === 'blocked') {
    // Nothing of a blocked part is shown: value is its file name, if any.
    item.append(`${value ?? name} — ${summary}`);
  } else {
    const text = document.createElement('pre');
    text.textContent = value;
    item.append(`${name} — ${summary}`, text);
  }
  return item;
}
