// The demo page's wiring: the sample gallery, the drop zone that takes any
// file and opens the tab for it, the tabs, and the policy, whose every new
// guard (made through guard-client.js, in a Web Worker when the package has
// one) is handed to all three tabs, which then check what they show again.
// The tabs draw their own reports (text-tab.js, image-tab.js, audio-tab.js).
//
// Serve the repository root (node tools/serve.mjs . 8080) and open
// http://127.0.0.1:8080/www/

import { $, el, formatMs, showError, WHERE, wireFileDrop, wirePageDrop } from './dom.js';
import { currentGuard, loadMmguard, mmguardVersion, useGuard } from './guard-client.js';
import { wirePolicy } from './policy.js';
import { kindOf } from './route.js';
import { checkText, checkTextNow, TEXT_SAMPLES, wireTextTab } from './text-tab.js';
import { IMAGE_SAMPLES } from './image.js';
import { checkImage, recheckImage, wireDropZone } from './image-tab.js';
import { AUDIO_SAMPLES } from './audio.js';
import { checkAudio, recheckAudio, wireAudioTab } from './audio-tab.js';

// ------------------------------------------------------------ tabs

const TABS = ['text', 'image', 'audio'];
const RESULT_HEADINGS = { text: 'result-heading', image: 'image-result-heading', audio: 'audio-result-heading' };

function selectTab(name, focus = false) {
  for (const tab of TABS) {
    const selected = tab === name;
    const button = $(`tab-${tab}`);
    button.setAttribute('aria-selected', String(selected));
    // Only the selected tab is in the Tab order; arrows reach the others.
    button.tabIndex = selected ? 0 : -1;
    $(`panel-${tab}`).hidden = !selected;
  }
  $('skip').href = `#${RESULT_HEADINGS[name]}`;
  if (focus) $(`tab-${name}`).focus();
}

function wireTabs() {
  for (const tab of TABS) {
    const button = $(`tab-${tab}`);
    button.addEventListener('click', () => selectTab(tab));
    button.addEventListener('keydown', (event) => {
      const at = TABS.indexOf(tab);
      const to = {
        ArrowRight: (at + 1) % TABS.length,
        ArrowLeft: (at + TABS.length - 1) % TABS.length,
        Home: 0,
        End: TABS.length - 1,
      }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      selectTab(TABS[to], true);
    });
  }
}

// ------------------------------------------------------------ any file, any sample

/**
 * Brings the results into view when they are below it (on a phone the input
 * and policy panels fill the screen). Focus stays where it is: the verdict's
 * live region announces the result.
 */
function revealResults() {
  const tabs = document.querySelector('.tabs');
  if (tabs.getBoundingClientRect().top < window.innerHeight * 0.75) return;
  const smooth = window.matchMedia('(prefers-reduced-motion: no-preference)').matches;
  tabs.scrollIntoView({ behavior: smooth ? 'smooth' : 'auto', block: 'start' });
}

/** Opens the tab for `file` and checks it there. */
async function route(file) {
  const kind = await kindOf(file);
  selectTab(kind);
  revealResults();
  $('drop-any').dataset.routed = `${kind}:${file.name}`;
  if (kind === 'image') return checkImage(file);
  if (kind === 'audio') return checkAudio(file);
  // Text files are read whole: the text guard's own limit (4 MiB by default) says when one is too long.
  return checkTextNow(await file.text(), file.name);
}

function sampleButton(sample, kind, run) {
  const button = el('button', { type: 'button', class: 'secondary', text: sample.label, 'data-sample': sample.id, 'data-kind': kind });
  // Samples that take seconds say so, for tests that keep to quick ones.
  if (sample.long) button.dataset.long = 'true';
  button.addEventListener('click', () => {
    selectTab(kind);
    revealResults();
    run();
  });
  return button;
}

function wireSamples() {
  $('text-samples').append(...TEXT_SAMPLES.map((sample) => sampleButton(sample, 'text', () => checkTextNow(sample.text()))));
  $('image-samples').append(...IMAGE_SAMPLES.map((sample) => sampleButton(sample, 'image', () => checkImage(sample.make))));
  $('audio-samples').append(...AUDIO_SAMPLES.map((sample) => sampleButton(sample, 'audio', () => checkAudio(sample.make))));
}

// ------------------------------------------------------------ policy

/** Hands a new guard to every tab; the one it replaces is closed once they moved over. */
async function changeGuard(client, name) {
  const previous = useGuard(client);
  $('engine').textContent = `mmguard runs ${WHERE[client.runs]}; the guard for this policy started in ${formatMs(client.startup.createMs)}.`;
  document.documentElement.dataset.guard = client.runs;
  // The checks start at once and abort the older ones; closing the previous
  // guard afterwards makes whatever it still runs reject, unseen.
  const checks = [checkText(), recheckImage(), recheckAudio()];
  // For tests and automation: which policy is in use, and a count of the
  // guards made, raised once every tab has started checking with this one.
  document.body.dataset.policy = name;
  document.body.dataset.guards = String(Number(document.body.dataset.guards ?? 0) + 1);
  previous?.close();
  await Promise.all(checks);
}

// ------------------------------------------------------------ start

async function start() {
  wireSamples();
  wireTabs();
  wireTextTab();
  wireDropZone();
  wireAudioTab();
  wireFileDrop($('drop-any'), route);
  wirePageDrop($('drop-any'), route);
  $('any-file').addEventListener('change', (event) => {
    const [file] = event.target.files;
    if (file) route(file);
  });
  $('input').value = TEXT_SAMPLES[0].text();
  try {
    await loadMmguard();
  } catch (err) {
    $('engine').textContent = 'mmguard is unavailable.';
    $('verdict').textContent = 'Unavailable.';
    showError(`Could not load mmguard's WebAssembly module (${err.code ?? err.name}: ${err.message}). Build it with "make wasm" and serve the repository root.`);
    return;
  }
  const apply = wirePolicy(changeGuard);
  if (!(await apply())) {
    // The default policy cannot be refused; what failed is loading a model.
    $('engine').textContent = 'mmguard could not start a guard: see the policy panel.';
    return;
  }
  const version = await mmguardVersion();
  if (version) $('version').textContent = `mmguard ${version}.`;
  // For tests and automation: the guard is made and every control wired.
  document.body.dataset.ready = String(currentGuard() !== null);
}

start();
