// DOM helpers shared by the demo's tabs: elements, findings grouped by
// severity, detector gauges, step timings, file drops. Everything is built
// with textContent: reports echo user text, which must never become markup.

export const $ = (id) => document.getElementById(id);

export const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** An element with attributes (`class`, `text` for its text, any other attribute) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

/** Shows `message` in the error box `id`, or hides it when `message` is empty. */
export function showError(message, id = 'error') {
  const box = $(id);
  box.textContent = message;
  box.hidden = message === '';
}

/** A finding's first line, the same in both tabs: severity, code, label, action. */
export function findingHead(finding) {
  return el(
    'p',
    { class: 'finding-head' },
    el('span', { class: 'badge', text: finding.severity }),
    ' ',
    el('code', { text: finding.code }),
    finding.label ? ` (${finding.label})` : null,
    ' ',
    el('span', { class: 'action', text: `→ ${finding.action}` }),
  );
}

const SEVERITY_NAMES = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

/**
 * The verdict box: its class, the verdict in capitals, what it means
 * (`explanations`, by verdict) and how many findings there are.
 */
export function drawVerdictBox(box, report, explanations) {
  box.className = `verdict verdict-${report.verdict}`;
  const count = report.findings.length;
  box.replaceChildren(
    el('strong', { text: report.verdict.toUpperCase() }),
    ` ${explanations[report.verdict]} ${count} finding${count === 1 ? '' : 's'}.`,
  );
}

/**
 * A finding about a file (an image or a recording) as a list item: its
 * occurrences, byte range and score (`scoreText`), and for `metadataCode` the
 * decoded text the text guard flagged.
 */
export function fileFindingItem(finding, metadataCode, scoreText) {
  const details = [`${finding.count.toLocaleString('en')} occurrence${finding.count === 1 ? '' : 's'}`];
  if (finding.bytes) details.push(`bytes ${finding.bytes.start.toLocaleString('en')}–${finding.bytes.end.toLocaleString('en')} of the file`);
  if (finding.score !== undefined) details.push(scoreText(finding));
  const flaggedText = finding.code === metadataCode && finding.payload;
  return el(
    'li',
    { class: `finding sev-${finding.severity}`, 'data-code': finding.code },
    findingHead(finding),
    el('p', { text: finding.message }),
    el('p', { class: 'where', text: details.join(', ') }),
    flaggedText ? el('p', { text: 'The metadata text the text guard flagged (decoded payload):' }) : null,
    flaggedText ? el('pre', { class: 'payload-text', text: finding.payload.text }) : null,
  );
}

/**
 * Draws `findings` into `container` as one list per severity, most severe
 * first, each under a heading that names it and counts its findings; the
 * report's order holds within a severity. `item(finding)` makes each <li>.
 */
export function drawFindingGroups(container, findings, item) {
  container.replaceChildren();
  if (findings.length === 0) {
    container.append(el('p', { class: 'none', text: 'No findings.' }));
    return;
  }
  for (const severity of Object.keys(SEVERITY_NAMES)) {
    const here = findings.filter((f) => f.severity === severity);
    if (here.length === 0) continue;
    const id = `${container.id}-${severity}`;
    container.append(
      el(
        'section',
        { class: 'sev-group', 'data-severity': severity, 'aria-labelledby': `${id}-heading` },
        el('h4', { id: `${id}-heading`, class: `sev-heading sev-${severity}` }, `${SEVERITY_NAMES[severity]} `, el('span', { class: 'sub', text: `(${here.length})` })),
        el('ol', { class: 'findings' }, ...here.map(item)),
      ),
    );
  }
}

const percent = (x) => `${Math.round(x * 100)}%`;

/**
 * One learned detector's row for a <dl class="scores">: its gauge (a <meter>
 * from 0 to 1 named `label`, turning amber at half the threshold and red at
 * it where the threshold is known), its score in words, and a status line
 * (`status`) saying the threshold and what was done. No gauge for a detector
 * that did not run (`score` undefined): an empty one would read as 0%.
 */
export function detectorRow({ id, term, label, key }, score, threshold, status) {
  const line = el('span', { id: `${id}-status`, class: 'detector-status', text: status });
  const attrs = { id: `${id}-meter`, min: '0', max: '1', optimum: '0', value: String(score), 'aria-label': label, 'aria-describedby': `${id}-status` };
  if (threshold !== null && threshold !== undefined) Object.assign(attrs, { low: String(threshold / 2), high: String(threshold), 'data-threshold': String(threshold) });
  const gauge = score === undefined ? [] : [el('meter', attrs), ' ', el('span', { class: 'meter-value', text: percent(score) })];
  return [el('dt', { text: term }), el('dd', { 'data-detector': key }, ...gauge, line)];
}

/**
 * What a detector's score meant (`finding`, the detector's finding if any;
 * `check`, its entry in the policy's `detectors`): `{ threshold, text }`. A
 * finding carries the threshold its score was held against; without one only
 * a threshold set in the policy is known (null means the model's own, which
 * the page is not told).
 */
export function detectorStatus(score, finding, check) {
  if (score === undefined) return { threshold: null, text: check?.action === 'allow' ? 'not run: off in this policy' : 'not run' };
  if (finding) return { threshold: finding.threshold, text: `at or above the threshold of ${percent(finding.threshold)}: ${finding.action === 'block' ? 'blocked' : 'flagged'}` };
  const threshold = check?.threshold ?? null;
  return { threshold, text: `below ${threshold === null ? "the model's threshold" : `the threshold of ${percent(threshold)}`}: no finding` };
}

/** "12 ms", "1.35 s". */
export const formatMs = (ms) => (ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

/**
 * Draws the steps of one check into the <dl> `id`: `steps` are [name, ms,
 * once] triples; ms null for a step done before (a model already loaded),
 * undefined to leave the step out; `once` for start-up steps done once per
 * page or policy, shown but not counted in the total of this check.
 */
export function drawTimings(id, steps) {
  const shown = steps.filter(([, ms]) => ms !== undefined);
  const rows = shown.flatMap(([name, ms, once]) => [
    el('dt', { class: once ? 'once' : '', text: once ? `${name} (once)` : name }),
    el('dd', { text: ms === null ? 'done before' : formatMs(ms) }),
  ]);
  const total = shown.filter(([, , once]) => !once).reduce((sum, [, ms]) => sum + (ms ?? 0), 0);
  $(id).replaceChildren(...rows, el('dt', { class: 'total', text: 'This check in all' }), el('dd', { class: 'total', text: formatMs(total) }));
}

/** The start-up steps of `client` (a GuardClient), for drawTimings. */
export function startupSteps(client) {
  const { moduleMs, createMs } = client.startup;
  return client.runs === 'worker'
    ? [["Load mmguard's JavaScript", moduleMs, true], ['Start the worker: WebAssembly module, policy, text detector model', createMs, true]]
    : [['Load the WebAssembly module', moduleMs, true], ['Create the guard: policy, text detector model', createMs, true]];
}

/** Where the guard runs, in words. */
export const WHERE = { worker: 'in a Web Worker', 'main-thread': 'on the main thread' };

/** "86.8 KiB (88,893 bytes)": the rounded size to read, the exact one to compare. */
export function formatBytes(n) {
  const exact = `${n.toLocaleString('en')} byte${n === 1 ? '' : 's'}`;
  if (n < 1024) return exact;
  const [value, unit] = n < 1024 * 1024 ? [n / 1024, 'KiB'] : [n / (1024 * 1024), 'MiB'];
  return `${value.toFixed(1)} ${unit} (${exact})`;
}

// Lets the browser paint "Processing…" before the guard holds the main thread
// (the wasm call is synchronous). A hidden page never paints: no wait there.
export const nextPaint = () => (document.hidden ? Promise.resolve() : new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))));

/** True when a drag carries files (not text or a link from the page). */
const carriesFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');

/** Makes `zone` take a dropped file and hand it to `onFile`; the page's own drop handler never sees it. */
export function wireFileDrop(zone, onFile) {
  zone.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove('dragging');
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    event.stopPropagation();
    zone.classList.remove('dragging');
    const [file] = event.dataTransfer.files;
    if (file) onFile(file);
  });
}

/**
 * A file dropped anywhere else on the page goes to `onFile` too (the browser
 * would otherwise replace the page with it); `zone` is highlighted meanwhile.
 */
export function wirePageDrop(zone, onFile) {
  window.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    zone.classList.add('dragging');
  });
  window.addEventListener('dragleave', (event) => {
    // relatedTarget is null when the drag leaves the window.
    if (event.relatedTarget === null) zone.classList.remove('dragging');
  });
  window.addEventListener('drop', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    zone.classList.remove('dragging');
    const [file] = event.dataTransfer.files;
    if (file) onFile(file);
  });
}
