// The gateway's request handling: routes, and for an upload the order that
// keeps the upstream safe: authenticate, admit (rate limit, budget, monitor
// cooldown) before reading, read within the size limit, parse, sanitize with
// the client's policy, let the monitor see the query, and forward only a
// body rebuilt from sanitized outputs.

import { authenticate } from './auth.js';
import { declaredLength, parseUpload, readBody } from './body.js';
import { ConfigError, limitsFor, monitorActionFor, parseGatewayConfig, policyNameFor } from './config.js';
import { GatewayError } from './errors.js';
import { forwardBody, guardFor, observation, overallVerdict, sanitizeParts, summary, summaryHeader } from './sanitize.js';
import { CLIENT_ID } from './token.js';

export const log = (event, fields) => console.log(JSON.stringify({ event, ...fields }));

// Parsed once per isolate; re-parsed only if the binding's text changes.
let cachedConfig = null;

function loadConfig(env) {
  const text = env.GATEWAY_CONFIG ?? '';
  if (cachedConfig?.text !== text) {
    try {
      cachedConfig = { text, config: parseGatewayConfig(text) };
    } catch (e) {
      if (e instanceof ConfigError) throw new GatewayError(503, 'gateway.misconfigured', e.message);
      throw e;
    }
  }
  return cachedConfig.config;
}

function upstreamUrl(env, url) {
  let base;
  try {
    base = new URL(env.UPSTREAM_URL);
  } catch {
    throw new GatewayError(503, 'gateway.misconfigured', 'UPSTREAM_URL is not set to an absolute URL');
  }
  return `${base.origin}${base.pathname.replace(/\/$/, '')}${url.pathname}${url.search}`;
}

// The path and query are forwarded as they are, so nothing the text guard
// would have to read may ride in them: identifier-like segments, keys and
// values only (no spaces, no percent-encoding). Checked before the body is read.
const PLAIN_PATH = /^\/v1(\/[A-Za-z0-9_.\-]{1,64}){0,8}\/?$/;
const PLAIN_QUERY_PART = /^[A-Za-z0-9_.\-:,]{0,64}$/;

function checkRoute(url) {
  if (!PLAIN_PATH.test(url.pathname)) {
    throw new GatewayError(400, 'route.path', 'path segments must be at most 64 characters from A-Z, a-z, 0-9, _ . -');
  }
  for (const [key, value] of url.searchParams) {
    if (!key || !PLAIN_QUERY_PART.test(key) || !PLAIN_QUERY_PART.test(value)) {
      throw new GatewayError(400, 'route.query', 'query keys and values must be at most 64 characters from A-Z, a-z, 0-9, _ . - : ,');
    }
  }
}

const clientState = (env, client) => env.CLIENT_STATE.get(env.CLIENT_STATE.idFromName(client));

function refuseAdmission(client, verdict) {
  const headers = { 'retry-after': String(verdict.retryAfterSeconds) };
  if (verdict.reason === 'monitor' && verdict.action === 'block') {
    log('monitor.refused', { client, action: 'block' });
    throw new GatewayError(403, 'monitor.blocked', 'this client is blocked for a while: its queries look like systematic probing', { headers });
  }
  if (verdict.reason === 'monitor') {
    log('monitor.refused', { client, action: 'throttle' });
    throw new GatewayError(429, 'monitor.throttled', 'this client is throttled for a while: its queries look like systematic probing', { headers });
  }
  log('ratelimit.refused', { client, retryAfter: verdict.retryAfterSeconds });
  throw new GatewayError(429, 'rate.limited', 'too many requests or bytes; retry later', { headers });
}

async function watch(stub, config, client, entry, results) {
  const action = monitorActionFor(config, client);
  const seen = observation(results, config.monitor.minTextChars);
  const verdict = await stub.observe({ observation: seen, options: config.monitor, action, cooldownSeconds: config.monitor.cooldownSeconds });
  if (verdict.tripped) log('monitor.tripped', { client, action, reasons: verdict.reasons, counters: verdict.counters });
  return { ...verdict, action };
}

async function forward(request, env, url, client, results, upload, monitorVerdict) {
  const summaryText = summaryHeader(results);
  const { body, contentType } = forwardBody(upload, results);
  // Only what the upstream needs: never the client's token or cookies.
  const headers = new Headers({ 'x-mmguard-client': client, 'x-mmguard-summary': summaryText });
  if (contentType) headers.set('content-type', contentType);
  const accept = request.headers.get('accept');
  if (accept) headers.set('accept', accept);
  if (env.UPSTREAM_AUTHORIZATION) headers.set('authorization', env.UPSTREAM_AUTHORIZATION);
  let upstream;
  try {
    upstream = await fetch(upstreamUrl(env, url), { method: 'POST', headers, body });
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    throw new GatewayError(502, 'upstream.unreachable', 'the upstream could not be reached');
  }
  const response = new Response(upstream.body, upstream);
  response.headers.set('x-mmguard-summary', summaryText);
  if (monitorVerdict.tripped) response.headers.set('x-mmguard-monitor', monitorVerdict.reasons.map((r) => r.rule).join(','));
  return response;
}

async function upload(request, env, url) {
  const config = loadConfig(env);
  const { client, scopes } = await authenticate(request, env, 'forward');
  checkRoute(url);
  const entry = await guardFor(config, policyNameFor(config, client, scopes));
  const declared = declaredLength(request, config.maxBodyBytes);
  const stub = clientState(env, client);
  // A body of unknown length is charged the most it may be.
  const admission = await stub.admit({
    limits: limitsFor(config, client),
    costs: { requests: 1, bytes: declared ?? config.maxBodyBytes },
  });
  if (!admission.ok) refuseAdmission(client, admission);

  const bytes = await readBody(request, config.maxBodyBytes);
  const parsed = await parseUpload(request.headers.get('content-type'), bytes, config);
  const results = await sanitizeParts(entry, parsed.parts);
  const monitorVerdict = await watch(stub, config, client, entry, results);
  const verdict = overallVerdict(results);
  log('gateway.request', { client, verdict, parts: results.length, monitor: monitorVerdict.tripped ? monitorVerdict.reasons.map((r) => r.rule) : [] });

  if (monitorVerdict.tripped && monitorVerdict.action === 'block') {
    throw new GatewayError(403, 'monitor.blocked', 'this client is blocked for a while: its queries look like systematic probing', {
      headers: { 'retry-after': String(Math.ceil(config.monitor.cooldownSeconds)) },
    });
  }
  if (monitorVerdict.tripped && monitorVerdict.action === 'throttle') {
    throw new GatewayError(429, 'monitor.throttled', 'this client is throttled for a while: its queries look like systematic probing', {
      headers: { 'retry-after': String(Math.ceil(config.monitor.cooldownSeconds)) },
    });
  }
  if (verdict === 'blocked') {
    throw new GatewayError(422, 'input.blocked', 'mmguard blocked part of this upload; nothing was forwarded', {
      extra: { summary: summary(results), reports: results.map((r) => ({ part: r.name, kind: r.kind, report: r.report })) },
    });
  }
  return forward(request, env, url, client, results, parsed, monitorVerdict);
}

async function monitorCounters(request, env, client) {
  await authenticate(request, env, 'admin');
  if (!CLIENT_ID.test(client)) throw new GatewayError(400, 'route.client', 'not a client id');
  return Response.json({ client, ...(await clientState(env, client).snapshot()) });
}

/** The gateway's response to `request`; refusals are JSON GatewayErrors, thrown and turned into responses by the caller. */
export async function route(request, env) {
  const url = new URL(request.url);
  if (url.pathname.startsWith('/_monitor/')) {
    if (request.method !== 'GET') throw new GatewayError(405, 'route.method', 'use GET', { headers: { allow: 'GET' } });
    let client;
    try {
      client = decodeURIComponent(url.pathname.slice('/_monitor/'.length));
    } catch {
      throw new GatewayError(400, 'route.client', 'not a client id');
    }
    return monitorCounters(request, env, client);
  }
  if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) {
    if (request.method !== 'POST') throw new GatewayError(405, 'route.method', 'use POST', { headers: { allow: 'POST' } });
    return upload(request, env, url);
  }
  throw new GatewayError(404, 'route.not_found', 'no such route; uploads go to /v1/...');
}
