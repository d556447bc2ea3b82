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
