// The demo's image tab: runs the guard's image() on a chosen, dropped or
// sample image and draws the before and after pictures, the verdict, the
// removed metadata (a map pin for GPS), the findings by severity, the learned
// detectors' scores as gauges, the time each step took and a download link.
// An indeterminate progress bar and a Cancel button show while the guard
// works (the guard reports no progress for images). The guard comes from
// guard-client.js, shared by every tab.

import { $, detectorRow, detectorStatus, drawFindingGroups, drawTimings, drawVerdictBox, el, fileFindingItem, formatBytes, nextPaint, showError, startupSteps, wireFileDrop } from './dom.js';
import { currentGuard } from './guard-client.js';

const MIME_EXTENSIONS = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

const describeImage = (format, width, height, bytes) => `${format.toUpperCase()}, ${width} × ${height} pixels, ${formatBytes(bytes)}`;

// Object URLs keep their Blob alive until revoked: one per figure at a time.
const objectUrls = { before: null, after: null };

/**
 * Shows `blob` in the before or after figure, or, when `blob` is null, `note`
 * in its place (an empty checkerboard would pass for a transparent image).
 */
function showPicture(which, blob, caption, note = '') {
  if (objectUrls[which]) URL.revokeObjectURL(objectUrls[which]);
  objectUrls[which] = blob ? URL.createObjectURL(blob) : null;
  const img = $(`image-${which}`);
  if (blob) img.src = objectUrls[which];
  else img.removeAttribute('src');
  img.hidden = !blob;
  $(`image-${which}-frame`).classList.toggle('empty', !blob);
  $(`image-${which}-note`).textContent = note;
  $(`image-${which}-caption`).textContent = caption;
}

/** A map pin drawn with DOM calls (no markup strings), announced as "GPS position". */
function mapPin() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'gps-pin');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '24');
  svg.setAttribute('height', '24');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'GPS position');
  const title = document.createElementNS(ns, 'title');
  title.textContent = 'GPS position';
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M12 2C8.13 2 5 5.13 5 9c0 5.25 7 13 7 13s7-7.75 7-13c0-3.87-3.13-7-7-7zm0 9.5a2.5 2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5z');
  svg.append(title, path);
  return svg;
}

function drawImageVerdict(report) {
  const flagged = report.findings.some((f) => f.action === 'flag');
  drawVerdictBox($('image-verdict'), report, {
    // The output is re-encoded from the pixels even then, so "clean" does not
    // mean the bytes are unchanged.
    clean: `Nothing had to be removed; the output is a fresh file encoded from the pixels.${flagged ? ' Some findings were only flagged: read them before sending it.' : ''}`,
    modified: 'Something was removed or neutralized: send the sanitized image.',
    blocked: 'Blocked by the policy: nothing should be sent to the model.',
  });
}

function drawImageOutput(result, fileName) {
  const { report } = result;
  const output = report.image?.output;
  const link = $('image-download');
  if (result.bytes === null || !output) {
    showPicture('after', null, 'After: blocked, no output.', 'Blocked: no output');
    link.hidden = true;
    link.removeAttribute('href');
    return;
  }
  showPicture('after', new Blob([result.bytes], { type: result.mimeType }), `After: ${describeImage(output.format, output.width, output.height, output.bytes)}.`);
  const base = fileName.replace(/\.[^.]*$/, '') || 'image';
  link.href = objectUrls.after;
  link.download = `${base}-sanitized.${MIME_EXTENSIONS[result.mimeType] ?? output.format}`;
  link.hidden = false;
}

/** The metadata blocks the output no longer carries, the GPS position first, with a pin. */
function drawMetadata(report) {
  const list = $('image-metadata');
  list.replaceChildren();
  for (const gps of report.findings.filter((f) => f.code === 'image.gps')) {
    list.append(el('li', { class: 'gps' }, mapPin(), ' ', el('strong', { text: 'GPS position' }), `: ${gps.message} (${gps.action}).`));
  }
  for (const block of report.findings.filter((f) => f.code === 'image.metadata')) {
    list.append(el('li', {}, el('strong', { text: block.label ?? 'metadata' }), `: ${block.message}`));
  }
  $('metadata-heading').textContent = report.verdict === 'blocked' ? 'Metadata found' : 'Removed metadata';
  $('metadata-box').hidden = list.children.length === 0;
}

function drawImageFindings(report) {
  drawFindingGroups($('image-findings'), report.findings, (finding) =>
    fileFindingItem(finding, 'image.metadata_text', (f) => `score ${f.score.toFixed(2)}`),
  );
}

// The learned detectors, in the order the result lists them: where their
// score and policy live (`key`), their finding's code, the ids of their
// gauge and status line (`id`-meter, `id`-status), and their names.
const DETECTORS = [
  { key: 'image_adversarial', code: 'image.adversarial_score', id: 'image-adversarial', term: 'Adversarial noise', label: 'Adversarial-perturbation score' },
  { key: 'image_typographic', code: 'image.typographic', id: 'image-typographic', term: 'Rendered text', label: 'Typographic-image score' },
];

/** The two learned detectors' scores, each with its threshold and what it did, or "not run". */
function drawDetectorScores(report, detectors) {
  const rows = DETECTORS.flatMap((detector) => {
    const score = report.scores[detector.key];
    const status = detectorStatus(score, report.findings.find((f) => f.code === detector.code), detectors?.[detector.key]);
    return detectorRow(detector, score, status.threshold, status.text);
  });
  $('image-scores').replaceChildren(...rows);
}

/** Clears the result of the previous image, before a new one is checked. */
function resetImageResult() {
  showError('', 'image-error');
  showPicture('after', null, 'After: not ready yet.', 'Processing…');
  $('image-download').hidden = true;
  $('image-download').removeAttribute('href');
  $('metadata-box').hidden = true;
  $('image-metadata').replaceChildren();
  $('image-findings').replaceChildren();
  $('image-scores').replaceChildren();
  $('image-timings').replaceChildren();
}

let imageRun = 0;
let lastImage = null;
let controller = null;

/**
 * Checks an image: a File, or a function that makes one (a sample). A newer
 * check aborts an older one, whose result is dropped. The result section's
 * data-status (idle, processing, done, cancelled, error) and data-file tell
 * tests and styles where it stands.
 */
export async function checkImage(source) {
  const run = ++imageRun;
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  const section = $('image-result');
  section.dataset.status = 'processing';
  section.dataset.file = '';
  resetImageResult();
  $('image-verdict').className = 'verdict';
  $('image-verdict').textContent = 'Processing…';
  $('image-busy').hidden = false;
  // No aria-busy on the section: screen readers would hold back the
  // "Processing…" the verdict's live region announces.
  const finish = (status) => {
    section.dataset.status = status;
    $('image-busy').hidden = true;
  };
  const fail = (message) => {
    $('image-verdict').textContent = 'Not checked.';
    showPicture('after', null, 'After: no output.', 'No output');
    showError(message, 'image-error');
    finish('error');
  };
  let file;
  const making = performance.now();
  try {
    file = typeof source === 'function' ? await source() : source;
  } catch (err) {
    if (run === imageRun) fail(`Could not make or load the sample image in this browser (${err.message}).`);
    return;
  }
  const made = typeof source === 'function' ? performance.now() - making : undefined;
  if (run !== imageRun) return;
  lastImage = file;
  section.dataset.file = file.name;
  showPicture('before', file, `Before: ${file.name}, ${formatBytes(file.size)}.`);
  const client = currentGuard();
  if (!client) {
    fail('The WebAssembly module is not loaded yet.');
    return;
  }
  await nextPaint();
  if (run !== imageRun) return;
  try {
    const warmed = await client.warm('image', { signal });
    const started = performance.now();
    const result = await client.image(file, { signal });
    const sanitized = performance.now() - started;
    const detectors = (await client.policy()).detectors;
    if (run !== imageRun) return;
    const drawing = performance.now();
    const { image } = result.report;
    if (image) $('image-before-caption').textContent = `Before: ${file.name}, ${describeImage(image.format, image.width, image.height, image.input_bytes)}${image.frames > 1 ? `, ${image.frames} frames` : ''}.`;
    drawImageVerdict(result.report);
    drawImageOutput(result, file.name);
    drawMetadata(result.report);
    drawImageFindings(result.report);
    drawDetectorScores(result.report, detectors);
    drawTimings('image-timings', [
      ...startupSteps(client),
      ['Load the image detectors and their engine', warmed, true],
      ['Make the sample', made],
      ['Sanitize and score (guard.image)', sanitized],
      ['Draw the result', performance.now() - drawing],
    ]);
    finish('done');
  } catch (err) {
    if (run !== imageRun) return;
    if (signal.aborted) {
      $('image-verdict').textContent = 'Cancelled: nothing was checked.';
      showPicture('after', null, 'After: cancelled.', 'Cancelled');
      finish('cancelled');
      return;
    }
    fail(`${err.code ?? err.name}: ${err.message}`);
  }
}

/** Wires the drop zone, the file input and the before picture's error. */
export function wireDropZone() {
  wireFileDrop($('drop'), checkImage);
  $('image-cancel').addEventListener('click', () => controller?.abort());
  // HEIC, TIFF and the like: the guard says why it refuses them, but the
  // browser may not draw them either.
  $('image-before').addEventListener('error', (event) => {
    if (!objectUrls.before || event.target.currentSrc !== objectUrls.before) return;
    event.target.hidden = true;
    $('image-before-frame').classList.add('empty');
    $('image-before-note').textContent = 'This browser cannot display it';
  });
  $('image-file').addEventListener('change', (event) => {
    const [file] = event.target.files;
    if (file) checkImage(file);
  });
}

/** Checks the last image again (after a policy change), if there is one. */
export function recheckImage() {
  return lastImage ? checkImage(lastImage) : Promise.resolve();
}
