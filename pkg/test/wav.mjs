// WAV files for the tests, built here: a RIFF header, a fmt chunk, any
// extra chunks, and the samples.

/** A 16-bit PCM WAV of `samples` (numbers in −1..1, interleaved) with extra chunks before the data. */
export function wav(samples, { rate = 16000, channels = 1, chunks = [] } = {}) {
  const data = new Uint8Array(samples.length * 2);
  const view = new DataView(data.buffer);
  samples.forEach((v, i) => view.setInt16(i * 2, Math.round(Math.max(-1, Math.min(1, v)) * 32767), true));
  const fmt = new Uint8Array(16);
  const f = new DataView(fmt.buffer);
  f.setUint16(0, 1, true);
  f.setUint16(2, channels, true);
  f.setUint32(4, rate, true);
  f.setUint32(8, rate * channels * 2, true);
  f.setUint16(12, channels * 2, true);
  f.setUint16(14, 16, true);
  const parts = [['fmt ', fmt], ...chunks, ['data', data]].map(([id, payload]) => {
    const head = new Uint8Array(8 + payload.length + (payload.length % 2));
    head.set(new TextEncoder().encode(id), 0);
    new DataView(head.buffer).setUint32(4, payload.length, true);
    head.set(payload, 8);
    return head;
  });
  const body = parts.reduce((n, p) => n + p.length, 4);
  const out = new Uint8Array(8 + body);
  out.set(new TextEncoder().encode('RIFF'), 0);
  new DataView(out.buffer).setUint32(4, body, true);
  out.set(new TextEncoder().encode('WAVE'), 8);
  let at = 12;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `seconds` of a 440 Hz tone plus `extra` (a function of time), at `rate` Hz. */
export function tone(seconds, rate, extra = () => 0) {
  return Array.from({ length: Math.round(seconds * rate) }, (_, i) => {
    const t = i / rate;
    return 0.4 * Math.sin(2 * Math.PI * 440 * t) + extra(t);
  });
}
