// The demo's policy: three presets (strict, balanced, permissive) and a raw
// JSON editor. One policy serves every tab: applying one makes a new guard
// (through guard-client.js) and hands it to the page, which checks whatever
// each tab shows again. A policy the guard refuses is not applied: its error
// code and message are shown next to the editor, and the guard in use stays.

import { GuardClient } from './guard-client.js';
import { $ } from './dom.js';

export const PRESETS = {
  strict: {
    label: 'Strict',
    policy: {
      text: {
        normalization: 'nfkc',
        bidi: { action: 'block' },
        smuggling: { action: 'block' },
        encoded: { action: 'block' },
        injection: { action: 'block', threshold: 0.5 },
        confusables: { action: 'sanitize' },
        pii: { action: 'sanitize' },
      },
      // The text, adversarial-image and audio detectors block; a typographic
      // image (a screenshot of a document is one) is only flagged.
      detectors: { text: { action: 'block' }, image_adversarial: { action: 'block' }, audio: { action: 'block' } },
      image: {
        container: { action: 'block' },
        metadata: { gps: 'block' },
        scaling_attack: { action: 'block' },
        // Coarser pixels and a median filter: stronger against adversarial
        // noise, at a small cost in quality.
        squeeze: { median: '2x2', bit_depth: 5 },
      },
      audio: {
        container: { action: 'block' },
        metadata: { text: 'block' },
        ultrasonic: { action: 'block' },
      },
    },
    hint: 'Blocks Trojan Source, hidden and encoded payloads and likely injections; folds look-alike letters; redacts personal data. Blocks images with appended data, GPS positions, scaling attacks or a likely adversarial perturbation, and squeezes the pixels harder. Blocks recordings with appended data, flagged metadata text, ultrasonic content or a likely adversarial perturbation.',
  },
  balanced: {
    label: 'Balanced (the default)',
    policy: {},
    hint: "mmguard's defaults. Removes invisible and bidi characters and hidden payloads, redacts secrets, flags the rest. Images: removes metadata, appended files, colour under transparent pixels and scaling attacks. Recordings: removes metadata, appended files, DC offset and everything above 7.5 kHz (ultrasonic commands included), and writes 16 kHz mono. The learned detectors flag.",
  },
  permissive: {
    label: 'Permissive',
    policy: {
      text: {
        injection: { action: 'flag' },
        secrets: { action: 'flag' },
        pii: { action: 'allow' },
      },
      image: {
        scaling_attack: { action: 'flag' },
        // Bit depth 8 turns squeezing off: the pixels stay as decoded.
        squeeze: { bit_depth: 8 },
        resize: { max_side: 4096 },
      },
      audio: {
        ultrasonic: { action: 'flag' },
        output: { sample_rate: 48000, band_limit_hz: null, channels: 'keep' },
      },
    },
    hint: 'Removes only what no honest input needs: invisible and bidi characters, hidden payloads, metadata and appended files. Injections, secrets, scaling attacks and ultrasonic content are only flagged; personal data is not looked for. Images keep their pixels up to 4096 px; recordings keep their channels at 48 kHz, so a 19 kHz tone survives (flagged).',
  },
};

export const DEFAULT_PRESET = 'balanced';

const pretty = (value) => JSON.stringify(value, (key, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(4)) : v), 2);

/** The preset whose policy is exactly `text` (ignoring layout), or 'custom'. */
function presetOf(text) {
  let parsed;
  try {
    parsed = JSON.stringify(JSON.parse(text));
  } catch {
    return 'custom';
  }
  return Object.keys(PRESETS).find((name) => JSON.stringify(PRESETS[name].policy) === parsed) ?? 'custom';
}

/**
 * Wires the preset select, the editor and its Apply button. `onGuard(client,
 * name)` receives each guard made, the first for the default preset; it
 * resolves once the page uses it. Returns a function that applies the
 * editor's text now.
 */
export function wirePolicy(onGuard) {
  const select = $('policy');
  const editor = $('policy-editor');
  let applying = 0;

  const showProblem = (message) => {
    const box = $('policy-error');
    box.textContent = message;
    box.hidden = message === '';
    editor.setAttribute('aria-invalid', String(message !== ''));
  };

  const describe = (name) => {
    $('policy-hint').textContent = name === 'custom' ? 'Your own policy, as written in the editor below; anything it leaves out keeps its default.' : PRESETS[name].hint;
  };

  async function apply() {
    const run = ++applying;
    let policy;
    try {
      policy = JSON.parse(editor.value.trim() === '' ? '{}' : editor.value);
    } catch (err) {
      showProblem(`JSON syntax: ${err.message}. Not applied; the previous policy is still in use.`);
      $('policy-editor-state').textContent = '';
      return false;
    }
    const name = presetOf(editor.value);
    $('policy-editor-state').textContent = 'Applying…';
    let client;
    try {
      client = await GuardClient.create(policy);
    } catch (err) {
      if (run !== applying) return false;
      // The guard's own validation: policy.json (unknown key, wrong type) or policy.invalid (out of range).
      showProblem(`${err.code ?? err.name}: ${err.message}. Not applied; the previous policy is still in use.`);
      $('policy-editor-state').textContent = '';
      return false;
    }
    if (run !== applying) {
      client.close();
      return false;
    }
    showProblem('');
    select.value = name;
    describe(name);
    $('policy-editor-state').textContent = `Applied${name === 'custom' ? ' (custom)' : `: ${PRESETS[name].label}`}.`;
    try {
      $('policy-json').textContent = pretty(await client.policy());
    } catch (err) {
      $('policy-json').textContent = `${err.code ?? err.name}: ${err.message}`;
    }
    await onGuard(client, name);
    return true;
  }

  select.addEventListener('change', () => {
    if (select.value === 'custom') {
      // Nothing to load: the editor holds the custom policy; open it.
      $('policy-details').open = true;
      editor.focus();
      return;
    }
    editor.value = pretty(PRESETS[select.value].policy);
    apply();
  });
  editor.addEventListener('input', () => {
    // Syntax is checked as the user types; the guard checks the rest on Apply.
    try {
      JSON.parse(editor.value.trim() === '' ? '{}' : editor.value);
      showProblem('');
    } catch (err) {
      showProblem(`JSON syntax: ${err.message}.`);
    }
    $('policy-editor-state').textContent = 'Edited, not applied yet.';
  });
  editor.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      apply();
    }
  });
  $('policy-apply').addEventListener('click', apply);

  select.value = DEFAULT_PRESET;
  editor.value = pretty(PRESETS[DEFAULT_PRESET].policy);
  describe(DEFAULT_PRESET);
  return apply;
}
