// The per-client Durable Object: one instance per client id holds that
// client's rate-limit and byte-budget buckets, its query monitor window, and
// the cooldown a tripped monitor imposes. A Durable Object runs one request
// at a time, so take-then-store needs no locking. The logic lives in the
// pure modules (bucket.js, monitor.js); this class only keeps the state,
// reads the clock and stores the result.

import { DurableObject } from 'cloudflare:workers';
import { take } from './bucket.js';
import { observe, summarize } from './monitor.js';

export class ClientState extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.data = (await ctx.storage.get('state')) ?? { buckets: {}, monitor: null, cooldown: null };
    });
  }

  async #save() {
    await this.ctx.storage.put('state', this.data);
  }

  /**
   * Admits one request costing `costs` ({ requests, bytes }) against
   * `limits`, unless a tripped monitor's cooldown is running. Returns
   * { ok } or { ok: false, reason: 'rate' | 'monitor', action, retryAfterSeconds }.
   */
  async admit({ limits, costs }) {
    const now = Date.now();
    const cooldown = this.data.cooldown;
    if (cooldown && cooldown.until > now) {
      return { ok: false, reason: 'monitor', action: cooldown.action, retryAfterSeconds: Math.ceil((cooldown.until - now) / 1000) };
    }
    const result = take(this.data.buckets, limits, costs, now);
    this.data.buckets = result.buckets;
    await this.#save();
    return result.ok ? { ok: true } : { ok: false, reason: 'rate', retryAfterSeconds: result.retryAfterSeconds };
  }

  /**
   * Records a query's observation; when the monitor trips and the client's
   * action is throttle or block, starts a cooldown of `cooldownSeconds`.
   */
  async observe({ observation, options, action, cooldownSeconds }) {
    const result = observe(this.data.monitor, observation, options);
    this.data.monitor = result.state;
    if (result.tripped && action !== 'flag') {
      this.data.cooldown = { until: Date.now() + cooldownSeconds * 1000, action };
    }
    await this.#save();
    return { tripped: result.tripped, reasons: result.reasons, counters: result.state.counters };
  }

  /** Counters and bucket levels for the admin endpoint. */
  async snapshot() {
    const now = Date.now();
    const cooldown = this.data.cooldown && this.data.cooldown.until > now ? this.data.cooldown : null;
    return { monitor: summarize(this.data.monitor), buckets: this.data.buckets, cooldown };
  }
}
