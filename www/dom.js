// DOM helpers shared by the demo's tabs. Everything is built with
// textContent: reports echo user text, which must never become markup.

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

/** Makes `zone` take a dropped file and hand it to `onFile`. */
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
    zone.classList.remove('dragging');
    const [file] = event.dataTransfer.files;
    if (file) onFile(file);
  });
  // A file dropped beside the zone would otherwise replace this page with it.
  for (const type of ['dragover', 'drop']) {
    window.addEventListener(type, (event) => {
      if (carriesFiles(event) && !zone.contains(event.target)) event.preventDefault();
    });
  }
}
