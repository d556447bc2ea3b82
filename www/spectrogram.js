// Spectrograms for the audio tab: a small WAV parser, a reader of what the
// browser decodes, a radix-2 FFT and the canvas drawing. WAV samples are read
// here rather than by the browser's decodeAudioData, which resamples to the
// audio context's rate and would hide exactly the band an ultrasonic attack
// uses; only the frames under each column's window are decoded, so a long
// recording costs no more than a short one. Compressed recordings (FLAC, MP3,
// Vorbis, AAC) are left to decodeAudioData, in a context at the recording's
// own rate, where it has nothing to resample.
//
// Levels are in dB against full scale (a full-scale sine reads 0 dB) on one
// fixed colour scale, so the same colour means the same level in both pictures.

// ------------------------------------------------------------ WAV

const WAVE_PCM = 1;
const WAVE_FLOAT = 3;
const WAVE_EXTENSIBLE = 0xfffe;

const fourCC = (view, at) => String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));

/** Readers of one sample at a byte offset, as a number in −1..1, by format tag and bits. */
const READERS = {
  [`${WAVE_PCM}:8`]: (view, at) => (view.getUint8(at) - 128) / 128,
  [`${WAVE_PCM}:16`]: (view, at) => view.getInt16(at, true) / 32768,
  [`${WAVE_PCM}:24`]: (view, at) => ((view.getInt8(at + 2) << 16) | (view.getUint8(at + 1) << 8) | view.getUint8(at)) / 8388608,
  [`${WAVE_PCM}:32`]: (view, at) => view.getInt32(at, true) / 2147483648,
  [`${WAVE_FLOAT}:32`]: (view, at) => view.getFloat32(at, true),
  [`${WAVE_FLOAT}:64`]: (view, at) => view.getFloat64(at, true),
};

/** The format tag of a fmt chunk; WAVE_FORMAT_EXTENSIBLE names the real one in its sub-format GUID. */
function formatTag(view, at, size) {
  const tag = view.getUint16(at, true);
  return tag === WAVE_EXTENSIBLE && size >= 26 ? view.getUint16(at + 24, true) : tag;
}

/**
 * Reads a WAV file's header: `{ rate, channels, bits, float, frames, read }`,
 * where `read(frame)` is the frame's channels mixed to one value. Throws an
 * Error saying why for anything else, or a WAV this parser does not read.
 * A data chunk longer than the file is cut to what is there.
 */
export function parseWav(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let fmt = null;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = fourCC(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ' && size >= 16 && body + 16 <= bytes.length) {
      fmt = { tag: formatTag(view, body, size), channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), blockAlign: view.getUint16(body + 12, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!fmt) throw new Error('the data chunk comes before the fmt chunk');
      return wavReader(view, fmt, body, Math.min(size, bytes.length - body));
    }
    at = body + size + (size % 2);
  }
  throw new Error(fmt ? 'no data chunk' : 'no fmt chunk');
}

function wavReader(view, { tag, channels, rate, blockAlign, bits }, start, length) {
  const sample = READERS[`${tag}:${bits}`];
  if (!sample) throw new Error(`${tag === WAVE_PCM || tag === WAVE_FLOAT ? `${bits}-bit samples` : `format tag ${tag}`} not read here`);
  const width = bits / 8;
  if (channels < 1 || rate < 1 || blockAlign < channels * width) throw new Error('a fmt chunk that does not add up');
  const read = (frame) => {
    let sum = 0;
    const at = start + frame * blockAlign;
    for (let c = 0; c < channels; c++) sum += sample(view, at + c * width);
    return sum / channels;
  };
  return { rate, channels, bits, float: tag === WAVE_FLOAT, frames: Math.floor(length / blockAlign), read };
}

// ------------------------------------------------------------ compressed

/**
 * Decodes a compressed recording (`buffer`, an ArrayBuffer the browser takes
 * over) with the browser's own decoder into what parseWav returns, its
 * channels mixed to one. The context runs at `rate`, the recording's own as
 * the guard read it: decodeAudioData resamples to the context's rate, and a
 * default context (often 48 kHz) would add or cut a band. Rejects when the
 * browser cannot decode it or `rate` is outside what a context takes.
 */
export async function decodeRecording(buffer, rate) {
  const decoded = await new OfflineAudioContext(1, 1, rate).decodeAudioData(buffer);
  const channels = Array.from({ length: decoded.numberOfChannels }, (_, c) => decoded.getChannelData(c));
  const mono = new Float32Array(decoded.length);
  for (const data of channels) for (let i = 0; i < mono.length; i++) mono[i] += data[i] / channels.length;
  // The decoder hands out 32-bit float samples, whatever the file held.
  return { rate: decoded.sampleRate, channels: channels.length, bits: 32, float: true, frames: decoded.length, read: (frame) => mono[frame] };
}

// ------------------------------------------------------------ FFT

/** An in-place radix-2 FFT of `size` points (a power of two), its tables made once. */
function makeFft(size) {
  const bits = Math.log2(size);
  const reversed = new Uint32Array(size);
  for (let i = 0; i < size; i++) reversed[i] = (reversed[i >> 1] >> 1) | ((i & 1) << (bits - 1));
  const cos = new Float64Array(size / 2);
  const sin = new Float64Array(size / 2);
  for (let i = 0; i < size / 2; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / size);
    sin[i] = -Math.sin((2 * Math.PI * i) / size);
  }
  return (re, im) => {
    for (let i = 0; i < size; i++) {
      const j = reversed[i];
      if (j <= i) continue;
      const [r, m] = [re[i], im[i]];
      re[i] = re[j];
      im[i] = im[j];
      re[j] = r;
      im[j] = m;
    }
    for (let half = 1; half < size; half *= 2) {
      const step = size / (half * 2);
      for (let group = 0; group < size; group += half * 2) {
        for (let k = 0; k < half; k++) {
          const wr = cos[k * step];
          const wi = sin[k * step];
          const a = group + k;
          const b = a + half;
          const tr = re[b] * wr - im[b] * wi;
          const ti = re[b] * wi + im[b] * wr;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
  };
}

// ------------------------------------------------------------ analysis

/** The quietest level kept, in dB: the bottom of the colour scale. */
export const FLOOR_DB = -100;

/**
 * A spectrogram of a parsed WAV or a decoded recording: `db` holds `columns`
 * spectra of `bins` levels each (bin b at b × rate / size Hz). Hann windows of
 * 1024 points (2048 above 48 kHz, so each bin stays under 50 Hz wide), at most
 * `maxColumns` of them spread evenly over the recording.
 */
export function analyse(wav, maxColumns = 400) {
  const size = wav.rate > 48000 ? 2048 : 1024;
  const bins = size / 2 + 1;
  const columns = Math.max(1, Math.min(maxColumns, Math.ceil(wav.frames / (size / 4))));
  const hop = columns > 1 ? Math.max(0, wav.frames - size) / (columns - 1) : 0;
  const window = Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
  // A full-scale sine under a Hann window peaks at size / 4.
  const reference = 20 * Math.log10(4 / size);
  const fft = makeFft(size);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const db = new Float32Array(columns * bins);
  for (let c = 0; c < columns; c++) {
    const start = Math.round(c * hop);
    for (let i = 0; i < size; i++) re[i] = start + i < wav.frames ? wav.read(start + i) * window[i] : 0;
    im.fill(0);
    fft(re, im);
    for (let b = 0; b < bins; b++) db[c * bins + b] = Math.max(FLOOR_DB - 40, 10 * Math.log10(re[b] * re[b] + im[b] * im[b] + 1e-30) + reference);
  }
  return { rate: wav.rate, seconds: wav.frames / wav.rate, size, bins, columns, db };
}

/** The loudest frequency above `hz` over the whole recording, `{ hz, db }`, or null when nothing there reaches the floor. */
export function loudestAbove(analysis, hz) {
  const { rate, size, bins, columns, db } = analysis;
  let best = null;
  for (let b = Math.ceil((hz * size) / rate); b < bins; b++) {
    let peak = -Infinity;
    for (let c = 0; c < columns; c++) peak = Math.max(peak, db[c * bins + b]);
    if (peak > FLOOR_DB && (!best || peak > best.db)) best = { hz: (b * rate) / size, db: peak };
  }
  return best;
}

// ------------------------------------------------------------ drawing

// Black through purple, red and orange to pale yellow: brightness alone
// orders the levels, so the picture reads without colour vision too.
const RAMP = [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]];
const PALETTE = (() => {
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const at = (i / 255) * (RAMP.length - 1);
    const [lo, hi] = [RAMP[Math.floor(at)], RAMP[Math.min(RAMP.length - 1, Math.floor(at) + 1)]];
    for (let k = 0; k < 3; k++) table[i * 3 + k] = Math.round(lo[k] + (hi[k] - lo[k]) * (at - Math.floor(at)));
  }
  return table;
})();

const BACKGROUND = '#101214';
const LABELS = '#e8e8e8';
const LIMIT = '#7fd4ff';
const MARGIN = { left: 46, right: 8, top: 8, bottom: 22 };

/** A tick step from `steps` giving at most `most` ticks over `span`. */
const tickStep = (span, steps, most) => steps.find((s) => span / s <= most) ?? steps[steps.length - 1];

const kHz = (hz) => `${Number((hz / 1000).toFixed(hz % 1000 === 0 ? 0 : 1))}`;

/** For each row of the plot, from the top, the bins it covers; rows above the recording's Nyquist get none. */
function rowBins(analysis, topHz, height) {
  const binHz = analysis.rate / analysis.size;
  return Array.from({ length: height }, (_, y) => {
    const [lo, hi] = [topHz * (1 - (y + 1) / height), topHz * (1 - y / height)];
    const first = Math.round(lo / binHz);
    if (first >= analysis.bins) return null;
    return [first, Math.min(analysis.bins - 1, Math.max(first, Math.round(hi / binHz) - 1))];
  });
}

/** The spectrogram's pixels: each pixel the loudest bin it covers, so a thin tone is never skipped. */
function paintPlot(ctx, analysis, topHz, width, height) {
  const image = ctx.createImageData(width, height);
  const rows = rowBins(analysis, topHz, height);
  const { bins, columns, db } = analysis;
  for (let x = 0; x < width; x++) {
    const column = Math.min(columns - 1, Math.floor((x * columns) / width)) * bins;
    for (let y = 0; y < height; y++) {
      let level = FLOOR_DB;
      if (rows[y]) for (let b = rows[y][0]; b <= rows[y][1]; b++) level = Math.max(level, db[column + b]);
      const colour = Math.round(Math.min(1, (level - FLOOR_DB) / -FLOOR_DB) * 255) * 3;
      const at = (y * width + x) * 4;
      image.data[at] = PALETTE[colour];
      image.data[at + 1] = PALETTE[colour + 1];
      image.data[at + 2] = PALETTE[colour + 2];
      image.data[at + 3] = 255;
    }
  }
  return image;
}

function drawAxes(ctx, plot, topHz, seconds, scale) {
  ctx.fillStyle = LABELS;
  ctx.strokeStyle = LABELS;
  ctx.lineWidth = scale;
  ctx.font = `${11 * scale}px system-ui, sans-serif`;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const hzStep = tickStep(topHz, [500, 1000, 2000, 4000, 5000, 10000, 20000, 50000], 6);
  for (let hz = 0; hz <= topHz; hz += hzStep) {
    const y = plot.y + plot.h * (1 - hz / topHz);
    // The top left corner holds the unit.
    if (y < plot.y + 14 * scale) continue;
    ctx.fillText(kHz(hz), plot.x - 6 * scale, y);
    ctx.beginPath();
    ctx.moveTo(plot.x - 4 * scale, y);
    ctx.lineTo(plot.x, y);
    ctx.stroke();
  }
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText('kHz', 2 * scale, plot.y);
  // Room for a label such as "1.5 s" every 60 CSS pixels or so.
  const secondStep = tickStep(seconds, [0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600], Math.max(2, Math.floor(plot.w / (60 * scale))));
  ctx.textAlign = 'center';
  for (let s = 0; s <= seconds + 1e-9; s += secondStep) {
    const x = plot.x + (plot.w * s) / Math.max(seconds, 1e-9);
    ctx.textAlign = x > plot.x + plot.w - 12 * scale ? 'right' : 'center';
    ctx.fillText(`${Number(s.toFixed(2))} s`, x, plot.y + plot.h + 5 * scale);
  }
}

/** A dashed line at `hz` with its label just above it: the highest frequency the output holds. */
function drawLimit(ctx, plot, topHz, hz, scale) {
  const y = Math.round(plot.y + plot.h * (1 - hz / topHz)) + 0.5;
  ctx.strokeStyle = LIMIT;
  ctx.fillStyle = LIMIT;
  ctx.lineWidth = 1.5 * scale;
  ctx.setLineDash([6 * scale, 4 * scale]);
  ctx.beginPath();
  ctx.moveTo(plot.x, y);
  ctx.lineTo(plot.x + plot.w, y);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'bottom';
  ctx.fillText(`output limit ${kHz(hz)} kHz`, plot.x + plot.w - 4 * scale, y - 2 * scale);
}

/**
 * Draws `analysis` on `canvas` from 0 Hz at the bottom to `topHz` at the top
 * (above the recording's own Nyquist frequency the picture stays black: there
 * is nothing there), with `limitHz` marked when given. Sizes the canvas to its
 * CSS box at the device's pixel ratio, and leaves data attributes saying what
 * was drawn where (data-plot is x, y, width, height in canvas pixels).
 */
export function drawSpectrogram(canvas, analysis, { topHz, limitHz = null }) {
  const scale = window.devicePixelRatio || 1;
  canvas.width = Math.round((canvas.clientWidth || 480) * scale);
  canvas.height = Math.round((canvas.clientHeight || 220) * scale);
  const ctx = canvas.getContext('2d');
  const plot = {
    x: Math.round(MARGIN.left * scale),
    y: Math.round(MARGIN.top * scale),
    w: canvas.width - Math.round((MARGIN.left + MARGIN.right) * scale),
    h: canvas.height - Math.round((MARGIN.top + MARGIN.bottom) * scale),
  };
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (plot.w > 0 && plot.h > 0) ctx.putImageData(paintPlot(ctx, analysis, topHz, plot.w, plot.h), plot.x, plot.y);
  drawAxes(ctx, plot, topHz, analysis.seconds, scale);
  if (limitHz !== null && limitHz < topHz) drawLimit(ctx, plot, topHz, limitHz, scale);
  Object.assign(canvas.dataset, { drawn: 'true', plot: `${plot.x},${plot.y},${plot.w},${plot.h}`, topHz: String(topHz), rate: String(analysis.rate) });
}

/** Empties `canvas` and its data attributes, for a recording with no picture. */
export function clearSpectrogram(canvas) {
  canvas.width = 0;
  canvas.height = 0;
  for (const key of ['drawn', 'plot', 'topHz', 'rate']) delete canvas.dataset[key];
}
