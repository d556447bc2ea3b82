// The demo's audio tab: runs the guard's audio() on a chosen, dropped or
// sample recording and shows it before and after: two players, two
// spectrograms on one frequency scale (so a removed band shows as a dark
// stripe), the verdict, the removed metadata, the findings by severity, the
// audio detector's gauge, the measurements, the time each step took and a
// download link. A progress bar follows the guard's onProgress while it
// works. The guard comes from guard-client.js, shared by every tab.

import { $, detectorRow, detectorStatus, drawFindingGroups, drawTimings, drawVerdictBox, el, fileFindingItem, formatBytes, nextPaint, showError, startupSteps, wireFileDrop } from './dom.js';
import { currentGuard } from './guard-client.js';
import { analyse, clearSpectrogram, decodeRecording, drawSpectrogram, loudestAbove, parseWav } from './spectrogram.js';

// ------------------------------------------------------------ words

const formatRate = (hz) => `${(hz / 1000).toLocaleString('en', { maximumFractionDigits: 3 })} kHz`;
/** A measured frequency: "25.0 kHz". */
const formatFrequency = (hz) => `${(hz / 1000).toFixed(1)} kHz`;
const formatChannels = (n) => ({ 1: 'mono', 2: 'stereo' })[n] ?? `${n} channels`;
const formatSeconds = (s) => `${s.toFixed(2)} s`;
const formatDb = (db) => `${db > 0 ? '+' : db < 0 ? '−' : ''}${Math.abs(db).toFixed(1)} dB`;

/** The codecs of compressed recordings, as their names are written. */
const CODECS = { flac: 'FLAC', mp3: 'MP3', vorbis: 'Vorbis', aac: 'AAC' };

/** "pcm24" → "24-bit PCM", "float32" → "32-bit float", "vorbis" → "Vorbis". */
const formatSamples = (name) => {
  const [, kind, bits] = /^(pcm|float)(\d+)$/.exec(name) ?? [];
  return kind ? `${bits}-bit ${kind === 'pcm' ? 'PCM' : 'float'}` : (CODECS[name] ?? name);
};

/**
 * "WAV, 16-bit PCM, 16 kHz, mono, …", "OGG, Vorbis, …"; the codec once where
 * it names its own container ("MP3, …", not "MP3, MP3, …").
 */
const describeRecording = ({ format, samples, rate, channels, seconds, bytes }) => {
  const [container, codec] = [format.toUpperCase(), formatSamples(samples)];
  const kind = codec.toUpperCase() === container ? container : `${container}, ${codec}`;
  return `${kind}, ${formatRate(rate)}, ${formatChannels(channels)}, ${formatSeconds(seconds)}, ${formatBytes(bytes)}`;
};

// ------------------------------------------------------------ players

// Object URLs keep their Blob alive until revoked: one per player at a time.
const objectUrls = { before: null, after: null };

/** Loads `blob` into the before or after player, or empties and hides it when `blob` is null. */
function setPlayer(which, blob) {
  if (objectUrls[which]) URL.revokeObjectURL(objectUrls[which]);
  objectUrls[which] = blob ? URL.createObjectURL(blob) : null;
  const player = $(`audio-${which}`);
  if (blob) player.src = objectUrls[which];
  else {
    player.removeAttribute('src');
    player.load();
  }
  player.hidden = !blob;
  if (which === 'before') $('audio-before-unplayable').hidden = true;
}

// ------------------------------------------------------------ spectrograms

// What each canvas shows, kept so it can be drawn again at a new size.
const pictures = { before: null, after: null };

/** Shows `picture` ({ analysis, topHz, limitHz, label }) on the before or after canvas, or `note` in its place. */
function showPicture(which, picture, note = '') {
  pictures[which] = picture;
  const canvas = $(`audio-${which}-spectrogram`);
  canvas.hidden = !picture;
  $(`audio-${which}-note`).textContent = note;
  $(`audio-${which}-frame`).classList.toggle('empty', !picture);
  if (!picture) {
    clearSpectrogram(canvas);
    canvas.setAttribute('aria-label', note);
    return;
  }
  canvas.setAttribute('aria-label', picture.label);
  drawSpectrogram(canvas, picture.analysis, picture);
}

/** The spectrogram's text alternative: its scales, and what lies above the output's limit. */
function describePicture(what, analysis, topHz, limitHz) {
  const scales = `Spectrogram of ${what}: frequency from 0 to ${formatRate(topHz)} upward, ${formatSeconds(analysis.seconds)} from left to right.`;
  if (analysis.rate / 2 <= limitHz) return `${scales} Nothing above ${formatRate(analysis.rate / 2)}, the highest frequency it holds.`;
  const loudest = loudestAbove(analysis, limitHz);
  if (!loudest || loudest.db < -60) return `${scales} Nothing louder than −60 dB above ${formatRate(limitHz)}, the output's limit.`;
  return `${scales} Loudest above ${formatRate(limitHz)}, the output's limit: ${formatFrequency(loudest.hz)} at ${formatDb(loudest.db)} against full scale.`;
}

/** Reads a WAV and analyses it for its picture: `{ wav, analysis }`, or `{ reason }` it cannot. */
function readRecording(bytes) {
  try {
    const wav = parseWav(bytes);
    return { wav, analysis: analyse(wav) };
  } catch (err) {
    return { reason: err.message };
  }
}

/**
 * The before reading of a recording the guard read but parseWav does not
 * (FLAC, MP3, Vorbis, AAC): decoded by the browser at `rate`, the input's own,
 * so the band above the output's limit stays in the picture. `unread`, the
 * WAV reading with its reason, when this browser cannot decode it either.
 */
async function decodeForPicture(file, rate, unread) {
  try {
    const wav = await decodeRecording(await file.arrayBuffer(), rate);
    return { wav, analysis: analyse(wav) };
  } catch {
    return unread;
  }
}

/**
 * Draws both pictures on one frequency scale, up to the higher of the two
 * Nyquist frequencies, with `limitHz` (the output's) marked on both when
 * known. `after` is null when there is no output.
 */
function drawPictures(name, before, after, limitHz) {
  const topHz = Math.max(before.wav?.rate ?? 0, after?.wav?.rate ?? 0) / 2;
  if (before.analysis) showPicture('before', { analysis: before.analysis, topHz, limitHz, label: describePicture(`${name} as given`, before.analysis, topHz, limitHz ?? topHz) });
  else showPicture('before', null, `No spectrogram: ${before.reason}`);
  if (after?.analysis) showPicture('after', { analysis: after.analysis, topHz, limitHz, label: describePicture('the sanitized recording, on the same scale', after.analysis, topHz, limitHz) });
  else if (after) showPicture('after', null, `No spectrogram: ${after.reason}`);
}

/** The highest frequency the output keeps: the policy's band limit, at most half the output rate. */
function outputLimit(policy, audio) {
  const { output } = policy.audio;
  const nyquist = (audio?.output?.sample_rate ?? output.sample_rate) / 2;
  return Math.min(nyquist, output.band_limit_hz ?? Infinity);
}

// ------------------------------------------------------------ report

function drawAudioVerdict(report) {
  const flagged = report.findings.some((f) => f.action === 'flag');
  drawVerdictBox($('audio-verdict'), report, {
    // The output is written afresh from the samples even then, so "clean"
    // does not mean the bytes are unchanged.
    clean: `Nothing had to be removed; the output is a fresh WAV file written from the samples.${flagged ? ' Some findings were only flagged: read them before sending it.' : ''}`,
    modified: 'Something was removed or neutralized: send the sanitized recording.',
    blocked: 'Blocked by the policy: nothing should be sent to the model.',
  });
}

function drawAudioOutput(result, fileName, after) {
  const link = $('audio-download');
  const output = result.report.audio?.output;
  if (result.bytes === null || !output) {
    setPlayer('after', null);
    showPicture('after', null, 'Blocked: no output');
    $('audio-after-caption').textContent = 'After: blocked, no output.';
    link.hidden = true;
    link.removeAttribute('href');
    return;
  }
  setPlayer('after', new Blob([result.bytes], { type: result.mimeType }));
  const samples = after.wav ? `${after.wav.float ? 'float' : 'pcm'}${after.wav.bits}` : 'pcm';
  $('audio-after-caption').textContent = `After: ${describeRecording({ format: 'wav', samples, rate: output.sample_rate, channels: output.channels, seconds: result.duration, bytes: output.bytes })}.`;
  link.href = objectUrls.after;
  link.download = `${fileName.replace(/\.[^.]*$/, '') || 'recording'}-sanitized.wav`;
  link.hidden = false;
}

/** A finding's measured value in words: levels in dB, the offset in percent of full scale. */
function formatScore(finding) {
  if (finding.code === 'audio.ultrasonic' || finding.code === 'audio.infrasound') return `${formatDb(finding.score)} against the speech band`;
  if (finding.code === 'audio.dc_offset') return `offset ${(finding.score * 100).toFixed(1)}% of full scale`;
  return `score ${finding.score.toFixed(2)}`;
}

function drawAudioFindings(report) {
  drawFindingGroups($('audio-findings'), report.findings, (finding) =>
    fileFindingItem(finding, 'audio.metadata_text', formatScore),
  );
}

/** The metadata chunks the output no longer carries (or, blocked, that were found). */
function drawAudioMetadata(report) {
  const list = $('audio-metadata');
  list.replaceChildren(...report.findings.filter((f) => f.code === 'audio.metadata').map((f) => el('li', {}, el('strong', { text: f.label ?? 'metadata' }), `: ${f.message}`)));
  $('audio-metadata-heading').textContent = report.verdict === 'blocked' ? 'Metadata found' : 'Removed metadata';
  $('audio-metadata-box').hidden = list.children.length === 0;
}

const DETECTOR = { key: 'audio_adversarial', code: 'audio.adversarial_score', id: 'audio-adversarial', term: 'Adversarial noise', label: 'Audio adversarial-perturbation score' };

/** The audio detector's score with its threshold and what it did, or "not run". */
function drawAudioScore(report, detectors) {
  const score = report.scores[DETECTOR.key];
  const status = detectorStatus(score, report.findings.find((f) => f.code === DETECTOR.code), detectors?.audio);
  $('audio-scores').replaceChildren(...detectorRow(DETECTOR, score, status.threshold, status.text));
}

/** The guard's measurements of the input: levels, and energy outside the speech band. */
function drawMeasurements(stats) {
  const rows = [
    ['Input peak', stats.peak_dbfs === undefined ? 'digital silence' : `${formatDb(stats.peak_dbfs)} against full scale`],
    ['Above 18 kHz', stats.above_18k_db === undefined ? null : `${formatDb(stats.above_18k_db)} against the speech band`],
    ['Above 20 kHz', stats.above_20k_db === undefined ? null : `${formatDb(stats.above_20k_db)} against the speech band`],
    ['Strongest above 18 kHz', stats.ultrasonic_peak_hz === undefined ? null : formatFrequency(stats.ultrasonic_peak_hz)],
    ['Below 50 Hz', stats.below_50_db === undefined ? null : `${formatDb(stats.below_50_db)} against the speech band`],
    ['Frames in / out', stats.output ? `${stats.frames.toLocaleString('en')} / ${stats.output.frames.toLocaleString('en')}` : stats.frames.toLocaleString('en')],
  ];
  $('audio-measurements').replaceChildren(...rows.filter(([, value]) => value !== null).flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { text: value })]));
  $('audio-measurements-box').hidden = false;
}

/** Clears the result of the previous recording, before a new one is checked. */
function resetAudioResult() {
  showError('', 'audio-error');
  setPlayer('after', null);
  showPicture('after', null, 'Processing…');
  $('audio-after-caption').textContent = 'After: not ready yet.';
  $('audio-download').hidden = true;
  $('audio-download').removeAttribute('href');
  $('audio-findings').replaceChildren();
  $('audio-measurements-box').hidden = true;
  $('audio-measurements').replaceChildren();
  $('audio-metadata-box').hidden = true;
  $('audio-metadata').replaceChildren();
  $('audio-scores').replaceChildren();
  $('audio-timings').replaceChildren();
  showProgress(0);
}

/** The progress bar at `share` (0 to 1) of the recording worked through. */
function showProgress(share) {
  // Setting value sets the attribute too, which tests and assistive technology read.
  $('audio-progress').value = share;
  $('audio-progress-value').textContent = `${Math.round(share * 100)}%`;
}

let audioRun = 0;
let lastAudio = null;
let controller = null;

/**
 * Checks a recording: a File, or a function that makes one (a sample). A
 * newer check aborts an older one, whose result is dropped. The result
 * section's data-status (idle, processing, done, cancelled, error) and
 * data-file tell tests and styles where it stands.
 */
export async function checkAudio(source) {
  const run = ++audioRun;
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  const section = $('audio-result');
  section.dataset.status = 'processing';
  section.dataset.file = '';
  resetAudioResult();
  $('audio-verdict').className = 'verdict';
  $('audio-verdict').textContent = 'Processing…';
  $('audio-busy').hidden = false;
  const finish = (status) => {
    section.dataset.status = status;
    $('audio-busy').hidden = true;
  };
  // `before`, the input's reading, when it got that far: its picture needs no guard.
  const fail = (message, name = '', before = { reason: 'not read' }) => {
    $('audio-verdict').textContent = 'Not checked.';
    showPicture('after', null, 'No output');
    $('audio-after-caption').textContent = 'After: no output.';
    drawPictures(name, before, null, null);
    showError(message, 'audio-error');
    finish('error');
  };
  let file;
  const making = performance.now();
  try {
    file = await (typeof source === 'function' ? source() : source);
  } catch (err) {
    if (run === audioRun) fail(`Could not make the sample recording in this browser (${err.message}).`);
    return;
  }
  const made = typeof source === 'function' ? performance.now() - making : undefined;
  if (run !== audioRun) return;
  lastAudio = file;
  section.dataset.file = file.name;
  setPlayer('before', file);
  $('audio-before-caption').textContent = `Before: ${file.name}, ${formatBytes(file.size)}.`;
  showPicture('before', null, 'Reading…');
  const client = currentGuard();
  if (!client) {
    fail('The WebAssembly module is not loaded yet.');
    return;
  }
  await nextPaint();
  if (run !== audioRun) return;
  const reading = performance.now();
  let before = readRecording(new Uint8Array(await file.arrayBuffer()));
  let read = performance.now() - reading;
  if (run !== audioRun) return;
  try {
    const warmed = await client.warm('audio', { signal });
    const started = performance.now();
    const result = await client.audio(file, {
      signal,
      onProgress: (share) => {
        if (run === audioRun) showProgress(share);
      },
    });
    const sanitized = performance.now() - started;
    const policy = await client.policy();
    if (run !== audioRun) return;
    const { audio } = result.report;
    // Only what the guard read is decoded here: a refused format keeps its note.
    if (audio && !before.analysis) {
      const decoding = performance.now();
      before = await decodeForPicture(file, audio.sample_rate, before);
      read += performance.now() - decoding;
      if (run !== audioRun) return;
    }
    const drawing = performance.now();
    const after = result.bytes ? readRecording(result.bytes) : null;
    if (audio) $('audio-before-caption').textContent = `Before: ${file.name}, ${describeRecording({ format: audio.format, samples: audio.sample_format, rate: audio.sample_rate, channels: audio.channels, seconds: audio.seconds, bytes: audio.input_bytes })}.`;
    drawAudioVerdict(result.report);
    drawAudioOutput(result, file.name, after);
    drawPictures(file.name, before, after, outputLimit(policy, audio));
    drawAudioMetadata(result.report);
    drawAudioFindings(result.report);
    drawAudioScore(result.report, policy.detectors);
    if (audio) drawMeasurements(audio);
    drawTimings('audio-timings', [
      ...startupSteps(client),
      ['Load the audio detector and its engine', warmed, true],
      ['Make the sample', made],
      ['Read the input for its spectrogram', read],
      ['Sanitize and score (guard.audio)', sanitized],
      ['Draw the result and spectrograms', performance.now() - drawing],
    ]);
    finish('done');
  } catch (err) {
    if (run !== audioRun) return;
    if (signal.aborted) {
      $('audio-verdict').textContent = 'Cancelled: nothing was checked.';
      showPicture('after', null, 'Cancelled');
      $('audio-after-caption').textContent = 'After: cancelled.';
      drawPictures(file.name, before, null, null);
      finish('cancelled');
      return;
    }
    fail(`${err.code ?? err.name}: ${err.message}`, file.name, before);
  }
}

// ------------------------------------------------------------ wiring

export function wireAudioTab() {
  wireFileDrop($('audio-drop'), checkAudio);
  $('audio-cancel').addEventListener('click', () => controller?.abort());
  $('audio-file').addEventListener('change', (event) => {
    const [file] = event.target.files;
    if (file) checkAudio(file);
  });
  // Opus, AIFF, AAC in some builds: the browser may play what the guard refuses, or the reverse.
  $('audio-before').addEventListener('error', (event) => {
    if (!objectUrls.before || event.target.currentSrc !== objectUrls.before) return;
    event.target.hidden = true;
    $('audio-before-unplayable').hidden = false;
  });
  // The canvases are sized to their box: redrawn when it changes, e.g. when
  // the tab is shown after a policy change drew it hidden.
  const resized = new ResizeObserver((entries) => {
    for (const { target } of entries) {
      const which = target.id === 'audio-before-spectrogram' ? 'before' : 'after';
      const picture = pictures[which];
      if (picture && target.clientWidth > 0) drawSpectrogram(target, picture.analysis, picture);
    }
  });
  resized.observe($('audio-before-spectrogram'));
  resized.observe($('audio-after-spectrogram'));
}

/** Checks the last recording again (after a policy change), if there is one. */
export function recheckAudio() {
  return lastAudio ? checkAudio(lastAudio) : Promise.resolve();
}
