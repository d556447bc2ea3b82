// The gateway's settings: defaults, per-client choices, and typos refused
// rather than silently switching a check off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, GATEWAY_DEFAULTS, limitsFor, monitorActionFor, parseGatewayConfig, policyNameFor } from '../src/config.js';

test('no GATEWAY_CONFIG gives the defaults', () => {
  for (const text of [undefined, null, '']) {
    const c = parseGatewayConfig(text);
    assert.equal(c.maxBodyBytes, GATEWAY_DEFAULTS.maxBodyBytes);
    assert.equal(c.monitor.action, 'flag');
    assert.deepEqual(c.policies, { default: {} });
  }
});

test('per-client policy, monitor action and limits, and token scopes choosing a policy', () => {
  const c = parseGatewayConfig(JSON.stringify({
    rateLimit: { capacity: 10 },
    monitor: { action: 'throttle', minSamples: 4 },
    policies: { default: {}, strict: { text: { bidi: { action: 'block' } } } },
    clients: { alice: { policy: 'strict', monitorAction: 'block', rateLimit: { capacity: 2, refillPerSecond: 0.1 } } },
  }));
  assert.equal(policyNameFor(c, 'alice', ['forward']), 'strict');
  assert.equal(policyNameFor(c, 'bob', ['forward']), 'default');
  assert.equal(policyNameFor(c, 'bob', ['forward', 'policy:strict']), 'strict');
  assert.equal(monitorActionFor(c, 'alice'), 'block');
  assert.equal(monitorActionFor(c, 'bob'), 'throttle');
  assert.deepEqual(limitsFor(c, 'alice').requests, { capacity: 2, refillPerSecond: 0.1 });
  assert.deepEqual(limitsFor(c, 'bob').requests, { capacity: 10, refillPerSecond: 1 });
  assert.equal(c.monitor.minSamples, 4);
  // A client id is looked up as an own key only.
  assert.equal(policyNameFor(c, '__proto__', []), 'default');
  assert.deepEqual(limitsFor(c, 'constructor').requests, { capacity: 10, refillPerSecond: 1 });
});

test('typos, bad values and dangling names are refused', () => {
  for (const bad of [
    '{',
    '[]',
    '{"maxBodyByte": 10}',
    '{"maxBodyBytes": -1}',
    '{"rateLimit": {"capacity": 0}}',
    '{"monitor": {"action": "ban"}}',
    '{"monitor": {"window": 1.5}}',
    '{"monitor": {"nearShare": "half"}}',
    '{"monitor": {"nearDistance": {"image.dhash64": -1}}}',
    '{"monitor": {"nearDistance": "8"}}',
    '{"policies": {"strict": {}}}',
    '{"policies": {"default": []}}',
    '{"clients": {"a": {"policy": "nope"}}}',
    '{"clients": {"a": {"monitorAction": "ban"}}}',
    '{"clients": {"a": {"rate": 1}}}',
  ]) {
    assert.throws(() => parseGatewayConfig(bad), ConfigError, bad);
  }
});
