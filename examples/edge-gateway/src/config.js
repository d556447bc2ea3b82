// The gateway's settings, read from its environment bindings and checked
// once per isolate: a typo in an operator's JSON refuses to start serving
// (503 gateway.misconfigured) instead of silently switching a check off.
// Pure: no runtime APIs, so the Node tests check it directly.

import { MONITOR_DEFAULTS } from './monitor.js';

export const MONITOR_ACTIONS = ['flag', 'throttle', 'block'];

export const GATEWAY_DEFAULTS = Object.freeze({
  maxBodyBytes: 8 * 1024 * 1024,
  /** Images and recordings per request. */
  maxMediaParts: 8,
  /** Text fields (form fields, text files, JSON strings) per request. */
  maxTextParts: 256,
  rateLimit: { capacity: 60, refillPerSecond: 1 },
  byteBudget: { capacity: 64 * 1024 * 1024, refillPerSecond: 256 * 1024 },
  monitor: {
    ...MONITOR_DEFAULTS,
    action: 'flag',
    /** How long a throttle or block lasts once the monitor trips. */
    cooldownSeconds: 60,
    /** Shorter texts (a role name, a field label) get no fingerprint: they repeat in every request. */
    minTextChars: 24,
  },
  /** mmguard policies by name; "default" is used when nothing else chooses. */
  policies: { default: {} },
  /** Per client: { policy, monitorAction, rateLimit, byteBudget }, each optional. */
  clients: {},
});

export class ConfigError extends Error {}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function positive(where, v, { integer = false } = {}) {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new ConfigError(`${where} must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return v;
}

function onlyKeys(where, obj, allowed) {
  if (!isObject(obj)) throw new ConfigError(`${where} must be an object`);
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw new ConfigError(`${where}.${k} is not a setting`);
}

function bucket(where, given, fallback) {
  if (given === undefined) return fallback;
  onlyKeys(where, given, ['capacity', 'refillPerSecond']);
  return {
    capacity: positive(`${where}.capacity`, given.capacity ?? fallback.capacity),
    refillPerSecond: positive(`${where}.refillPerSecond`, given.refillPerSecond ?? fallback.refillPerSecond),
  };
}

function monitor(given = {}) {
  const d = GATEWAY_DEFAULTS.monitor;
  onlyKeys('monitor', given, Object.keys(d));
  const m = { ...d, ...given };
  if (!MONITOR_ACTIONS.includes(m.action)) throw new ConfigError(`monitor.action must be one of ${MONITOR_ACTIONS}`);
  const near = typeof m.nearDistance === 'number' ? { '*': m.nearDistance } : m.nearDistance;
  if (!isObject(near)) throw new ConfigError('monitor.nearDistance must be a number or an object by fingerprint kind');
  for (const [kind, n] of Object.entries(near)) positive(`monitor.nearDistance.${kind}`, n, { integer: true });
  for (const k of ['window', 'minSamples', 'gridValues', 'scoreWindow', 'scoreBurst', 'minTextChars']) {
    positive(`monitor.${k}`, m[k], { integer: true });
  }
  for (const k of ['nearShare', 'gridShare', 'scoreMargin', 'cooldownSeconds']) positive(`monitor.${k}`, m[k]);
  return m;
}

function clients(given = {}, policies, defaults) {
  if (!isObject(given)) throw new ConfigError('clients must be an object');
  const out = {};
  for (const [id, c] of Object.entries(given)) {
    onlyKeys(`clients.${id}`, c, ['policy', 'monitorAction', 'rateLimit', 'byteBudget']);
    if (c.policy !== undefined && !Object.hasOwn(policies, c.policy)) {
      throw new ConfigError(`clients.${id}.policy names no policy`);
    }
    if (c.monitorAction !== undefined && !MONITOR_ACTIONS.includes(c.monitorAction)) {
      throw new ConfigError(`clients.${id}.monitorAction must be one of ${MONITOR_ACTIONS}`);
    }
    out[id] = {
      ...c,
      rateLimit: bucket(`clients.${id}.rateLimit`, c.rateLimit, defaults.rateLimit),
      byteBudget: bucket(`clients.${id}.byteBudget`, c.byteBudget, defaults.byteBudget),
    };
  }
  return out;
}

/** The gateway settings from GATEWAY_CONFIG (a JSON string, or absent for the defaults). */
export function parseGatewayConfig(text) {
  let given = {};
  if (text !== undefined && text !== null && text !== '') {
    try {
      given = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`GATEWAY_CONFIG is not JSON: ${e.message}`);
    }
  }
  const d = GATEWAY_DEFAULTS;
  onlyKeys('GATEWAY_CONFIG', given, Object.keys(d));
  const policies = given.policies ?? d.policies;
  if (!isObject(policies) || !Object.values(policies).every(isObject)) {
    throw new ConfigError('policies must map names to mmguard policy objects');
  }
  if (!Object.hasOwn(policies, 'default')) throw new ConfigError('policies must include "default"');
  const rateLimit = bucket('rateLimit', given.rateLimit, d.rateLimit);
  const byteBudget = bucket('byteBudget', given.byteBudget, d.byteBudget);
  return {
    maxBodyBytes: positive('maxBodyBytes', given.maxBodyBytes ?? d.maxBodyBytes, { integer: true }),
    maxMediaParts: positive('maxMediaParts', given.maxMediaParts ?? d.maxMediaParts, { integer: true }),
    maxTextParts: positive('maxTextParts', given.maxTextParts ?? d.maxTextParts, { integer: true }),
    rateLimit,
    byteBudget,
    monitor: monitor(given.monitor),
    policies,
    clients: clients(given.clients, policies, { rateLimit, byteBudget }),
  };
}

// A client id is the client's own text: look it up as an own key only, so
// "__proto__" or "constructor" finds nothing.
const clientEntry = (config, client) => (Object.hasOwn(config.clients, client) ? config.clients[client] : undefined);

/**
 * The policy name for a client: a `policy:NAME` scope in its token, else its
 * entry in `clients`, else "default". A scope naming no policy is refused by
 * the caller, not silently replaced by the default.
 */
export function policyNameFor(config, client, scopes) {
  const scoped = scopes.find((s) => s.startsWith('policy:'));
  if (scoped) return scoped.slice('policy:'.length);
  return clientEntry(config, client)?.policy ?? 'default';
}

export function monitorActionFor(config, client) {
  return clientEntry(config, client)?.monitorAction ?? config.monitor.action;
}

/** The buckets a client's requests are taken from: its own limits, else the gateway's. */
export function limitsFor(config, client) {
  const c = clientEntry(config, client);
  return { requests: c?.rateLimit ?? config.rateLimit, bytes: c?.byteBudget ?? config.byteBudget };
}
