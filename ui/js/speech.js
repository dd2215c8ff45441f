// @ts-check
// Reading aloud (issue #13). Rust says the text through espeak-ng (speech_* commands, docs/ipc.md);
// this module keeps what the patient chose (speed, volume, speech mode), polls where Rust is, and
// builds the Listen control that articles and the callback form show: play/pause, stop, slower.
// The sentence being read is highlighted (the CSS Custom Highlight API, so the text's own markup
// is never rewritten; a class on its paragraph where the API is missing) and kept in view.
//
// Speech stops when the screen changes, at the idle warning and at the reset; the reset also puts
// the volume, the speed and speech mode back to the clinic's defaults.
//
// Privacy: nothing a patient typed goes to Rust from here. keys.js says "filled in" for a form
// field unless Rust says headphones are where the sound goes.

import * as api from './api.js';
import { h } from './dom.js';
import { icon } from './icons.js';
import { t, getLang } from './i18n.js';

const POLL_MS = 100;
/** The volume key's steps, in per cent of espeak-ng's full amplitude. */
export const VOLUME_STEPS = [30, 50, 70, 100];
const HIGHLIGHT = 'speech-sentence';
/** Fired by idle.js as its "Are you still there?" appears. */
export const IDLE_WARNING_EVENT = 'kiosk:idle-warning';

/**
 * speech_config's answer (docs/ipc.md).
 * @typedef {{ wordsPerMinute: number, slowerWordsPerMinute: number, volume: number, headphonesOnly: boolean,
 *   alwaysOn: boolean, headphones: boolean, keys: Record<string, string[]> }} SpeechConfig
 */

/**
 * One utterance the page waits on.
 * @typedef {object} Active
 * @property {number} id Rust's utterance id
 * @property {'listen' | 'focus'} kind
 * @property {number} index the sentence last seen
 * @property {(index: number) => void} onSentence
 * @property {(state: string, index: number) => void} onEnd
 */

/** @type {SpeechConfig} */
let config = {
  wordsPerMinute: 155,
  slowerWordsPerMinute: 115,
  volume: 70,
  headphonesOnly: false,
  alwaysOn: false,
  headphones: false,
  keys: {},
};
let rate = 'normal';
let volume = 70;
let speechMode = false;
/** @type {Active | null} */
let active = null;
let pollTimer = 0;
/** Bumped by every speak/stop, so an answer that comes late is dropped. */
let generation = 0;
/** @type {Set<() => void>} */
const modeListeners = new Set();

/** Loads the clinic's settings and stops speech whenever the screen changes or the idle warning shows. */
export async function initSpeech() {
  try {
    config = { ...config, ...(await api.speechConfig()) };
  } catch {
    // Without Rust's answer the defaults stand; speak() then fails quietly.
  }
  volume = config.volume;
  speechMode = config.alwaysOn;
  const main = document.getElementById('main');
  // A new screen replaces #main's content: a Listen of the old one stops (an announcement of
  // the new one, already started, is left alone).
  if (main) new MutationObserver(() => active?.kind === 'listen' && stopSpeech()).observe(main, { childList: true });
  document.addEventListener(IDLE_WARNING_EVENT, () => stopSpeech());
}

/** The settings from speech_config (keys, rates), as loaded at start. */
export const speechSettings = () => config;

/** Whether speech mode is on: every focus change is said. */
export const isSpeechMode = () => speechMode;

/** @param {boolean} on */
export function setSpeechMode(on) {
  speechMode = on;
  for (const listener of modeListeners) listener();
}

/** @param {() => void} listener called when speech mode turns on or off */
export function onSpeechMode(listener) {
  modeListeners.add(listener);
}

/** Whether headphones are where the sound goes now (asked of Rust each time). */
export async function headphonesIn() {
  try {
    return Boolean((await api.speechConfig()).headphones);
  } catch {
    return false;
  }
}

/** The volume key: the next step up, then back to the quietest. Returns [step, of] (1-based). */
export function nextVolume() {
  const at = VOLUME_STEPS.findIndex((step) => step > volume);
  volume = VOLUME_STEPS[at === -1 ? 0 : at];
  return [VOLUME_STEPS.indexOf(volume) + 1, VOLUME_STEPS.length];
}

/**
 * Whether speech mode, volume and speed are the clinic's defaults: if not, a patient changed
 * them, and the kiosk is not pristine (the idle reset must put them back for the next one).
 */
export function isSpeechDefault() {
  return speechMode === config.alwaysOn && volume === config.volume && rate === 'normal';
}

/** The reset: silence, and the clinic's volume, speed and speech mode for the next patient. */
export function resetSpeech() {
  stopSpeech();
  volume = config.volume;
  rate = 'normal';
  setSpeechMode(config.alwaysOn);
}

/**
 * Says `sentences`, replacing whatever is being said.
 * @param {string[]} sentences
 * @param {{ lang?: string, from?: number, kind?: 'listen' | 'focus', onSentence?: (index: number) => void, onEnd?: (state: string, index: number) => void }} [options]
 */
export async function speak(sentences, { lang = getLang(), from = 0, kind = 'listen', onSentence = () => {}, onEnd = () => {} } = {}) {
  const mine = ++generation;
  const previous = active;
  active = null;
  previous?.onEnd('replaced', previous.index);
  try {
    const status = await api.speechSpeak(sentences, lang, rate, volume, from);
    if (mine !== generation) return;
    active = { id: status.id, kind, index: status.index, onSentence, onEnd };
    onSentence(status.index);
    poll();
  } catch {
    if (mine === generation) onEnd('failed', from);
  }
}

/**
 * Says one short text (a control's name and role, help): speech mode's voice.
 * @param {string} text
 * @param {string} [lang]
 */
export function say(text, lang = getLang()) {
  if (!text.trim()) return;
  speak([text], { lang, kind: 'focus' });
}

/** Silence now. */
export function stopSpeech() {
  generation++;
  const previous = active;
  active = null;
  clearTimeout(pollTimer);
  api.speechStop().catch(() => {});
  previous?.onEnd('stopped', previous.index);
}

/** Pauses the utterance being said at once; resumeSpeech says its sentence again. */
export function pauseSpeech() {
  if (active) api.speechPause().catch(() => {});
}

/** Carries on after pauseSpeech. */
export function resumeSpeech() {
  if (!active) return;
  api.speechResume().catch(() => {});
  poll();
}

function poll() {
  clearTimeout(pollTimer);
  pollTimer = window.setTimeout(async () => {
    const mine = active;
    if (!mine) return;
    let status;
    try {
      status = await api.speechStatus();
    } catch {
      return;
    }
    if (active !== mine) return;
    if (status.id !== mine.id) {
      active = null;
      mine.onEnd('replaced', mine.index);
      return;
    }
    if (status.index !== mine.index) {
      mine.index = status.index;
      mine.onSentence(status.index);
    }
    if (status.state === 'speaking' || status.state === 'paused') {
      poll();
      return;
    }
    active = null;
    mine.onEnd(status.state, status.index);
  }, POLL_MS);
}

// ---------- sentences on the page ----------

/**
 * A sentence on screen: its text and where it is.
 * @typedef {{ text: string, range: Range, block: HTMLElement }} Sentence
 */

/** Block elements read one after the other; a list item holding paragraphs is read through them. */
const BLOCKS = 'h1, h2, h3, h4, p, li, dt, dd, blockquote';

/**
 * The sentences of `roots`, in reading order: each leaf block split by the browser's own sentence
 * rules (Intl.Segmenter, in the text's language).
 * @param {(HTMLElement | null | undefined)[]} roots
 * @param {string} lang
 * @returns {Sentence[]}
 */
export function sentencesIn(roots, lang) {
  const segmenter = new Intl.Segmenter(lang, { granularity: 'sentence' });
  /** @type {Sentence[]} */
  const out = [];
  for (const root of roots) {
    if (!root) continue;
    const blocks = root.matches(BLOCKS) ? [root] : [...root.querySelectorAll(BLOCKS)].filter((b) => !b.querySelector(BLOCKS));
    if (!blocks.length) blocks.push(root);
    for (const block of /** @type {HTMLElement[]} */ (blocks)) out.push(...blockSentences(block, segmenter));
  }
  return out;
}

/**
 * @param {HTMLElement} block
 * @param {Intl.Segmenter} segmenter
 * @returns {Sentence[]}
 */
function blockSentences(block, segmenter) {
  /** @type {{ node: Text, start: number }[]} */
  const texts = [];
  let text = '';
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = /** @type {Text} */ (walker.currentNode);
    if (node.parentElement?.closest('svg, [aria-hidden="true"], .sr-only')) continue;
    texts.push({ node, start: text.length });
    text += node.data;
  }
  /** @param {number} offset */
  const locate = (offset) => {
    let found = texts[0];
    for (const item of texts) if (item.start <= offset) found = item;
    return { node: found.node, offset: Math.min(offset - found.start, found.node.length) };
  };
  /** @type {Sentence[]} */
  const out = [];
  for (const { segment, index } of segmenter.segment(text)) {
    const said = segment.replace(/\s+/g, ' ').trim();
    if (!/[\p{L}\p{N}]/u.test(said)) continue;
    const lead = segment.length - segment.trimStart().length;
    const start = locate(index + lead);
    const end = locate(index + segment.trimEnd().length);
    const range = document.createRange();
    range.setStart(start.node, start.offset);
    range.setEnd(end.node, end.offset);
    out.push({ text: said, range, block });
  }
  return out;
}

/**
 * Shows sentence `sentence` as the one being read (or none), and keeps it in view.
 * @param {Sentence | null} sentence
 */
function highlight(sentence) {
  const registry = /** @type {any} */ (globalThis.CSS)?.highlights;
  const Highlight = /** @type {any} */ (globalThis).Highlight;
  for (const old of document.querySelectorAll('.speech-reading')) old.classList.remove('speech-reading');
  if (registry && Highlight) {
    if (sentence) registry.set(HIGHLIGHT, new Highlight(sentence.range));
    else registry.delete(HIGHLIGHT);
  }
  if (!sentence) return;
  // Where the API is missing the paragraph is marked; with it, the mark is a quiet outline.
  sentence.block.classList.add('speech-reading');
  keepInView(sentence.range.getBoundingClientRect());
}

/**
 * Scrolls so that `rect` is below the header and above the bottom of the window.
 * @param {DOMRect} rect
 */
function keepInView(rect) {
  const header = document.getElementById('site-header')?.getBoundingClientRect();
  const top = Math.max(0, header && getComputedStyle(document.getElementById('site-header') ?? document.body).position !== 'static' ? header.bottom : 0) + 16;
  const bottom = window.innerHeight - 24;
  if (rect.top >= top && rect.bottom <= bottom) return;
  const behavior = window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth';
  window.scrollBy({ top: rect.top - top - (bottom - top - rect.height) / 3, behavior });
}

// ---------- the Listen control ----------

/**
 * The Listen control: play (then pause, resume), stop, and slower/normal speed.
 * @param {{ sources: () => (HTMLElement | null | undefined)[], lang?: string | null, label?: string }} options
 *   `sources`: the elements read, in order (asked when Play is pressed, so the screen is on show)
 */
// eslint-disable-next-line max-lines-per-function -- One control: its three buttons share the utterance's state; each handler is a few lines.
export function listenControl({ sources, lang = null, label = t('speech.listen') }) {
  /** @type {Sentence[]} */
  let sentences = [];
  /** idle | speaking | paused */
  let state = 'idle';
  let at = 0;
  /** This control's utterance is the one Rust holds (paused or speaking). */
  let live = false;

  const playLabel = h('span', {});
  const play = h(
    'button',
    { type: 'button', class: 'button button--secondary listen__play', dataset: { test: 'listen-play' }, onclick: () => onPlay() },
    h('span', { class: 'listen__icon', 'aria-hidden': 'true' }),
    playLabel,
  );
  const stop = h(
    'button',
    { type: 'button', class: 'button button--secondary listen__stop', dataset: { test: 'listen-stop' }, onclick: () => onStop() },
    icon('close'),
    t('speech.stop'),
  );
  const speed = h(
    'button',
    {
      type: 'button',
      class: 'button button--secondary listen__speed',
      'aria-pressed': String(rate === 'slower'),
      dataset: { test: 'listen-speed' },
      onclick: () => onSpeed(),
    },
    t('speech.slower'),
  );
  const node = h('div', { class: 'listen', role: 'group', 'aria-label': label, dataset: { test: 'listen' } }, play, stop, speed);

  function show() {
    node.dataset.state = state;
    play.dataset.state = state;
    playLabel.textContent = state === 'speaking' ? t('speech.pause') : state === 'paused' ? t('speech.resume') : label;
    speed.setAttribute('aria-pressed', String(rate === 'slower'));
  }

  function start(from = 0) {
    const speakLang = lang ?? getLang();
    if (!sentences.length || from === 0) sentences = sentencesIn(sources(), speakLang);
    if (!sentences.length) return;
    state = 'speaking';
    show();
    speak(
      sentences.map((s) => s.text),
      {
        lang: speakLang,
        from,
        onSentence: (index) => {
          live = true;
          at = index;
          highlight(sentences[index] ?? null);
        },
        onEnd: (how, index) => {
          live = false;
          // Stopped by anything but the patient's Stop (the screen, the idle warning, a
          // spoken control name): Play carries on from this sentence.
          at = how === 'done' ? 0 : index;
          if (how === 'done') sentences = [];
          state = how === 'done' || how === 'failed' ? 'idle' : 'paused';
          highlight(null);
          show();
        },
      },
    );
  }

  function onPlay() {
    if (state === 'speaking') {
      // Pause: the sound stops at once; Play says this sentence again.
      pauseSpeech();
      state = 'paused';
      show();
      return;
    }
    if (state === 'paused' && live) {
      resumeSpeech();
      state = 'speaking';
      show();
      return;
    }
    start(state === 'paused' ? at : 0);
  }

  function onStop() {
    stopSpeech();
    at = 0;
    sentences = [];
    state = 'idle';
    highlight(null);
    show();
  }

  function onSpeed() {
    rate = rate === 'slower' ? 'normal' : 'slower';
    show();
    // Heard at once: the sentence being read starts again at the new speed.
    if (state === 'speaking') start(at);
  }

  show();
  return node;
}
