// A small static file server for the demo, the browser tests and the browser
// bench. It exists because browsers only run wasm served over HTTP with the
// right MIME type (application/wasm enables streaming compilation) and only
// load ES modules from http:, not file:. No dependencies, local use only: it
// binds to 127.0.0.1 and never serves anything outside its root.
//
//   node tools/serve.mjs ROOT PORT      e.g. node tools/serve.mjs . 8080
//   import { serve } from './tools/serve.mjs'; const server = await serve(root, 0);

import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
};

const HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // Cross-origin isolation: gives pages full-resolution performance.now() (the
  // bench) and SharedArrayBuffer. Safe here because every resource is same-origin.
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/**
 * Maps a request path to a file under `root`, or null when it would leave the
 * root or name a dotfile. `root` must already be a real path. Symbolic links are resolved before
 * the check, so a link inside the root cannot point outside it.
 */
async function resolveFile(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  // Dotfiles (.git, .env, ...) are never part of a page.
  if (decoded.split('/').some((part) => part.startsWith('.') && part !== '.')) return null;
  const candidate = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  let real;
  try {
    real = await realpath(candidate);
  } catch {
    return { missing: true };
  }
  if (real !== root && !real.startsWith(root + path.sep)) return null;
  const info = await stat(real);
  if (info.isDirectory()) {
    const index = path.join(real, 'index.html');
    try {
      if ((await stat(index)).isFile()) return { file: index, directory: true };
    } catch {
      // A directory without index.html: no listings.
    }
    return { missing: true };
  }
  return info.isFile() ? { file: real, size: info.size } : { missing: true };
}

function send(res, status, text, extra = {}) {
  res.writeHead(status, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8', ...extra });
  res.end(text);
}

async function handle(root, req, res, extra) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const found = await resolveFile(root, url.pathname);
  if (found === null) {
    send(res, 403, 'forbidden\n');
    return;
  }
  if (found.missing) {
    send(res, 404, 'not found\n');
    return;
  }
  // /www must become /www/ or the page's relative URLs resolve against /.
  if (found.directory && !url.pathname.endsWith('/')) {
    send(res, 301, 'moved\n', { location: `${url.pathname}/${url.search}` });
    return;
  }
  const { size } = await stat(found.file);
  const type = MIME_TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, { ...HEADERS, ...extra, 'content-type': type, 'content-length': size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(found.file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/**
 * Serves the files under `root` on http://127.0.0.1:`port` (0 picks a free
 * port: read it from `server.address().port`). Resolves once listening.
 * `options.headers` are added to every file served (e.g. a
 * Content-Security-Policy, which then also governs workers and modules).
 */
export async function serve(root, port, options = {}) {
  const realRoot = await realpath(path.resolve(root));
  const extra = options.headers ?? {};
  const server = createServer((req, res) => {
    handle(realRoot, req, res, extra).catch(() => {
      if (res.headersSent) res.destroy();
      else send(res, 500, 'internal error\n');
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [root, portText] = process.argv.slice(2);
  const port = Number(portText ?? 8080);
  if (!root || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node tools/serve.mjs ROOT PORT');
    process.exit(2);
  }
  const server = await serve(root, port);
  const { port: actual } = server.address();
  console.log(`serving ${path.resolve(root)} on http://127.0.0.1:${actual}/ (Ctrl+C stops)`);
}
