// guardUpload: the usual integration in one call. Whatever a page is about to
// send (a FormData, a File or Blob, or the files of an <input type=file>) is
// sanitized part by part with a Guard or a GuardWorker: images by image(),
// recordings by audio(), text files and string fields by text(). The kind of
// an untyped file is found by the guard's own sniffing, never by its name.

import { MmguardError, describe } from './core.js';

// The error codes that mean "these bytes are not this kind of file", after
// which an untyped file is tried as the next kind.
const NOT_THIS_KIND = new Set(['input.image_format', 'unsupported.image_format', 'input.audio_format', 'unsupported.audio_format']);

const EXTENSIONS = { 'image/png': '.png', 'image/jpeg': '.jpg', 'image/webp': '.webp', 'image/gif': '.gif', 'audio/wav': '.wav' };

// A file name with the extension of what it now is.
function renamed(name, mimeType) {
  const ext = EXTENSIONS[mimeType];
  if (!name || !ext) return name || `upload${ext ?? ''}`;
  return name.replace(/\.[^./\\]*$/, '') + ext;
}

// Text formats that are not text/*.
const TEXT_TYPES = new Set(['application/json', 'application/xml', 'application/x-ndjson']);

// 'image', 'audio' or 'text' for a declared type, null for none (an empty
// type or application/octet-stream), 'other' for anything else.
function declaredKind(file) {
  const type = (file.type || '').toLowerCase().split(';')[0].trim();
  if (type === '' || type === 'application/octet-stream') return null;
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('text/') || TEXT_TYPES.has(type)) return 'text';
  return 'other';
}

// Sanitizes one file: resolves to { file, report } (file null when blocked).
async function sanitizeFile(guard, file) {
  const kind = declaredKind(file);
  if (kind === 'text') return sanitizeTextFile(guard, file);
  if (kind === 'other') {
    throw new MmguardError(
      'upload.unsupported',
      `${file.name || 'a file'} is ${file.type}, which mmguard cannot sanitize (images, recordings and text only)`,
    );
  }
  const kinds = kind ? [kind] : ['image', 'audio'];
  let lastError = null;
  // An untyped file over the image limits may still be a recording; if it is
  // not, the limit is what the caller hears.
  let limitError = null;
  for (const k of kinds) {
    try {
      // A File travels to a worker by reference: no copy here.
      const out = await guard[k](file, { type: file.name || file.type || undefined });
      if (!out.bytes) return { file: null, report: out.report };
      const clean = new File([out.bytes], renamed(file.name, out.mimeType), { type: out.mimeType });
      return { file: clean, report: out.report };
    } catch (err) {
      if (!kind && k === 'image' && err?.code === 'limit.image_bytes') {
        limitError = err;
        continue;
      }
      if (kind || !NOT_THIS_KIND.has(err?.code)) throw err;
      lastError = err;
    }
  }
  if (limitError) throw limitError;
  // Neither an image nor a recording: a text file if it is valid UTF-8.
  const text = await utf8(file);
  if (text !== null) return sanitizeTextFile(guard, file, text);
  throw new MmguardError(
    'upload.unsupported',
    `${file.name || 'a file'} is not an image, a recording or UTF-8 text, so it cannot be sanitized`,
    { cause: lastError },
  );
}

async function utf8(blob) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await blob.arrayBuffer());
  } catch {
    return null;
  }
}

async function sanitizeTextFile(guard, file, known) {
  const text = known ?? (await utf8(file));
  if (text === null) {
    throw new MmguardError('upload.unsupported', `${file.name || 'a text file'} is not valid UTF-8, so it cannot be sanitized`);
  }
  const out = await guard.text(text);
  if (out.text === null) return { file: null, report: out.report };
  return { file: new File([out.text], file.name || 'upload.txt', { type: file.type || 'text/plain' }), report: out.report };
}

// Refuses, or leaves out, what the policy blocked.
function settleBlocked(reports, onBlocked) {
  const blocked = reports.filter((r) => r.report.verdict === 'blocked');
  if (blocked.length > 0 && onBlocked !== 'drop') {
    const err = new MmguardError(
      'upload.blocked',
      `the policy blocked ${blocked.map((r) => r.filename ?? r.name).join(', ')}: do not send this upload`,
    );
    err.reports = reports;
    throw err;
  }
}

async function sanitizeFormData(guard, form, onBlocked) {
  const out = new FormData();
  const reports = [];
  const parts = [];
  for (const [name, value] of form.entries()) {
    // What a browser sends for a file input left empty: no file at all.
    if (typeof value !== 'string' && value.size === 0 && value.name === '') continue;
    if (typeof value === 'string') {
      const r = await guard.text(value);
      reports.push({ name, report: r.report });
      parts.push([name, r.text]);
    } else {
      const r = await sanitizeFile(guard, value);
      reports.push({ name, filename: value.name, report: r.report });
      parts.push([name, r.file]);
    }
  }
  settleBlocked(reports, onBlocked);
  for (const [name, value] of parts) {
    if (value === null) continue;
    if (typeof value === 'string') out.append(name, value);
    else out.append(name, value, value.name);
  }
  return { body: out, reports };
}

/**
 * Sanitizes what is about to be uploaded, with `guard` (a Guard or a
 * GuardWorker):
 *
 * - a FormData: resolves to `{ body, reports }`, body a new FormData with
 *   every file and string field sanitized (`reports[i]` is `{ name,
 *   filename?, report }` in the form's order);
 * - a File or Blob: `{ body, reports }`, body the sanitized File;
 * - an `<input type=file>`: its files are replaced by the sanitized ones;
 *   resolves to `{ files, reports }`.
 *
 * Rejects with `upload.blocked` when the policy blocked any part (nothing
 * should be sent; `err.reports` says why), unless `options.onBlocked` is
 * `'drop'`, which leaves blocked parts out; with `upload.unsupported` for a
 * file declared as another type (a PDF, a ZIP), or untyped and neither an
 * image, a recording nor UTF-8 text; and with the guard's own error for a
 * file it could not read. An empty, nameless file (a file input left empty)
 * is left out.
 */
export async function guardUpload(guard, body, options = {}) {
  if (!guard || typeof guard.text !== 'function' || typeof guard.image !== 'function') {
    throw new MmguardError('input.type', `guardUpload() takes a Guard or a GuardWorker first, got ${describe(guard)}`);
  }
  const onBlocked = options?.onBlocked ?? 'reject';
  if (onBlocked !== 'reject' && onBlocked !== 'drop') {
    throw new MmguardError('input.type', `options.onBlocked must be "reject" or "drop", got ${String(onBlocked)}`);
  }
  if (typeof FormData !== 'undefined' && body instanceof FormData) {
    return sanitizeFormData(guard, body, onBlocked);
  }
  if (typeof Blob !== 'undefined' && body instanceof Blob) {
    const file = body instanceof File ? body : new File([body], '', { type: body.type });
    const r = await sanitizeFile(guard, file);
    const reports = [{ name: file.name, filename: file.name, report: r.report }];
    settleBlocked(reports, onBlocked);
    return { body: r.file, reports };
  }
  if (typeof HTMLInputElement !== 'undefined' && body instanceof HTMLInputElement && body.type === 'file') {
    const form = new FormData();
    for (const file of body.files ?? []) form.append(body.name || 'file', file, file.name);
    const { body: clean, reports } = await sanitizeFormData(guard, form, onBlocked);
    const transfer = new DataTransfer();
    for (const [, file] of clean.entries()) transfer.items.add(file);
    body.files = transfer.files;
    return { files: body.files, reports };
  }
  throw new MmguardError(
    'input.type',
    `guardUpload() takes a FormData, a File or Blob, or an <input type=file>, got ${describe(body)}`,
  );
}
