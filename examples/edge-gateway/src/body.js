// Reading an upload: the size limit (enforced before and while reading), and
// parsing multipart/form-data and JSON into parts the guard can check. Every
// malformed body ends here as a 4xx GatewayError, never as an exception that
// escapes, and nothing unparsed is ever passed on.

import { GatewayError } from './errors.js';

/** `image`, `audio` or `text` for a declared MIME type, or null for anything the gateway will not pass on. */
export function kindOf(type) {
  const t = String(type ?? '').split(';')[0].trim().toLowerCase();
  if (t.startsWith('image/')) return 'image';
  if (t.startsWith('audio/')) return 'audio';
  if (t === 'text/plain') return 'text';
  return null;
}

/**
 * The declared body length, checked against `max` before anything is read
 * (413), or null when the client sent none (then reading enforces it).
 */
export function declaredLength(request, max) {
  const header = request.headers.get('content-length');
  if (header === null) return null;
  if (!/^\d{1,15}$/.test(header)) throw new GatewayError(400, 'body.length', 'Content-Length is not a number');
  const n = Number(header);
  if (n > max) throw new GatewayError(413, 'body.too_large', `the body is over ${max} bytes`);
  return n;
}

/** The body's bytes, at most `max` of them: a longer stream is cancelled at the limit (413). */
export async function readBody(request, max) {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => {});
        throw new GatewayError(413, 'body.too_large', `the body is over ${max} bytes`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    throw new GatewayError(400, 'body.unreadable', 'the body could not be read');
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

// Names travel to the upstream as they are, so they may not carry anything
// the text guard would have to look at: identifier characters only, no
// spaces, so no sentence (an injection, a secret with its label) fits.
const PLAIN_NAME = /^[A-Za-z0-9_.\-[\]]{1,64}$/;

function checkName(what, name) {
  if (!PLAIN_NAME.test(name)) {
    throw new GatewayError(400, 'body.name', `${what} names must be 1-64 characters from A-Z, a-z, 0-9, _ . - [ ]`);
  }
}

class PartCounter {
  constructor(limits) {
    this.limits = limits;
    this.media = 0;
    this.text = 0;
  }

  add(kind) {
    if (kind === 'text' ? ++this.text > this.limits.maxTextParts : ++this.media > this.limits.maxMediaParts) {
      const max = kind === 'text' ? this.limits.maxTextParts : this.limits.maxMediaParts;
      throw new GatewayError(413, 'body.too_many_parts', `at most ${max} ${kind === 'text' ? 'text' : 'media'} parts`);
    }
  }
}

function unsupported(name, type) {
  return new GatewayError(415, 'part.unsupported_type', `part "${name}" has type "${type || 'none'}"; only image/*, audio/* and text/plain are accepted`);
}

async function multipartParts(contentType, bytes, limits) {
  let form;
  try {
    form = await new Request('http://body.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body: bytes }).formData();
  } catch {
    throw new GatewayError(400, 'body.malformed_multipart', 'the multipart/form-data body could not be parsed');
  }
  const counter = new PartCounter(limits);
  const parts = [];
  for (const [name, value] of form.entries()) {
    checkName('part', name);
    if (typeof value === 'string') {
      counter.add('text');
      parts.push({ name, kind: 'text', text: value, file: false });
      continue;
    }
    const kind = kindOf(value.type);
    if (!kind) throw unsupported(name, value.type);
    counter.add(kind);
    const data = new Uint8Array(await value.arrayBuffer());
    if (kind === 'text') {
      let text;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(data);
      } catch {
        throw new GatewayError(400, 'part.encoding', `text part "${name}" is not UTF-8`);
      }
      parts.push({ name, kind, text, file: true });
    } else {
      parts.push({ name, kind, bytes: data, type: value.type, file: true });
    }
  }
  if (parts.length === 0) throw new GatewayError(400, 'body.empty', 'the form has no parts');
  return parts;
}

// A string that starts like a data URL, with a MIME type or none
// ("data:;base64,..."), is treated as one, so that a file hidden in a JSON
// string cannot pass as text; one without a type is refused.
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?((?:;[^,;]*)*),/i;
const MAX_JSON_DEPTH = 32;

function dataUrlPart(name, match, value, counter, set) {
  const type = (match[1] ?? '').toLowerCase();
  const kind = kindOf(type);
  if (kind !== 'image' && kind !== 'audio') throw unsupported(name, type);
  if (!/;base64$/i.test(match[2])) throw new GatewayError(400, 'part.data_url', `part "${name}" is a data URL without ;base64`);
  const payload = value.slice(match[0].length);
  let bytes;
  try {
    bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
  } catch {
    throw new GatewayError(400, 'part.data_url', `part "${name}" is not valid base64`);
  }
  counter.add(kind);
  return { name, kind, bytes, type, set };
}

// Every string leaf of the JSON becomes a part whose `set` writes the
// sanitized value back in place; names are JSON Pointers.
function jsonParts(bytes, limits) {
  let root;
  try {
    root = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new GatewayError(400, 'body.malformed_json', 'the body is not valid UTF-8 JSON');
  }
  const counter = new PartCounter(limits);
  const parts = [];
  const holder = { root };
  const walk = (container, key, pointer, depth) => {
    const value = container[key];
    if (depth > MAX_JSON_DEPTH) throw new GatewayError(400, 'body.too_deep', `JSON nested deeper than ${MAX_JSON_DEPTH}`);
    if (typeof value === 'string') {
      const set = (v) => {
        container[key] = v;
      };
      const match = DATA_URL.exec(value);
      if (match) {
        parts.push(dataUrlPart(pointer || '/', match, value, counter, set));
      } else {
        counter.add('text');
        parts.push({ name: pointer || '/', kind: 'text', text: value, set });
      }
    } else if (Array.isArray(value)) {
      value.forEach((_, i) => walk(value, i, `${pointer}/${i}`, depth + 1));
    } else if (value !== null && typeof value === 'object') {
      for (const k of Object.keys(value)) {
        checkName('JSON key', k);
        walk(value, k, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1);
      }
    }
  };
  walk(holder, 'root', '', 0);
  if (parts.length === 0) throw new GatewayError(400, 'body.empty', 'the JSON holds no strings to check');
  return { parts, root: () => holder.root };
}

/**
 * The parts of an upload: { format: 'multipart' | 'json', parts, root? }.
 * Parts are { name, kind, text } or { name, kind, bytes, type }.
 */
export async function parseUpload(contentType, bytes, limits) {
  const type = String(contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'multipart/form-data') return { format: 'multipart', parts: await multipartParts(contentType, bytes, limits) };
  if (type === 'application/json') return { format: 'json', ...jsonParts(bytes, limits) };
  throw new GatewayError(415, 'body.unsupported_type', 'send multipart/form-data or application/json');
}
