// @ts-check
// The six keys and the volume steps (ui/js/keys.js, ui/js/speech.js, issue #13): which action a
// key is, by the config's names (its `key` or its `code`), the defaults when the config gave
// none, and the volume key's steps from the clinic's default, round to the quietest, and back
// to the default at the reset.

import { test } from 'node:test';
import assert from 'node:assert/strict';

// speech.js asks Rust through window.__TAURI__; without it every call fails, and the module
// keeps its defaults, which is what these tests need.
Object.defineProperty(globalThis, 'window', { value: globalThis, configurable: true });

const { actionOf } = await import('../../ui/js/keys.js');
const { nextVolume, resetSpeech, VOLUME_STEPS, isSpeechMode, setSpeechMode } = await import('../../ui/js/speech.js');

/** @param {string} key @param {string} [code] */
const press = (key, code = key) => /** @type {KeyboardEvent} */ (/** @type {unknown} */ ({ key, code }));

test('the default keys are the arrows, Enter, Escape, F4 for help and F2 for the volume', () => {
  assert.equal(actionOf(press('ArrowUp')), 'up');
  assert.equal(actionOf(press('ArrowDown')), 'down');
  assert.equal(actionOf(press('Enter')), 'enter');
  assert.equal(actionOf(press('Escape')), 'back');
  assert.equal(actionOf(press('F4')), 'help');
  assert.equal(actionOf(press('F2')), 'volume');
  // A key that is none of the six is the page's.
  assert.equal(actionOf(press('a', 'KeyA')), null);
  assert.equal(actionOf(press('F1')), null);
});

test('a key matches by its code too (a keypad reports Numpad codes)', () => {
  // NumpadEnter's key is "Enter": it is the Enter action by its key.
  assert.equal(actionOf(press('Enter', 'NumpadEnter')), 'enter');
});

test('the volume key steps up from the default, wraps to the quietest, and the reset puts it back', () => {
  resetSpeech();
  // The default is 70 %: one step up is the loudest, the next the quietest.
  assert.deepEqual(nextVolume(), [VOLUME_STEPS.length, VOLUME_STEPS.length]);
  assert.deepEqual(nextVolume(), [1, VOLUME_STEPS.length]);
  assert.deepEqual(nextVolume(), [2, VOLUME_STEPS.length]);
  resetSpeech();
  assert.deepEqual(nextVolume(), [VOLUME_STEPS.length, VOLUME_STEPS.length]);
});

test('the reset turns speech mode off for the next patient', () => {
  setSpeechMode(true);
  assert.equal(isSpeechMode(), true);
  resetSpeech();
  assert.equal(isSpeechMode(), false);
});

test('staff screens are never said: the PIN, the inbox and the staff notices', async () => {
  const { isStaffScreen } = await import('../../ui/js/keys.js');
  for (const screen of ['staff-pin', 'staff-none', 'inbox']) assert.ok(isStaffScreen(screen), screen);
  for (const screen of ['home', 'topic', 'article', 'search', 'callback', 'thanks', undefined]) assert.ok(!isStaffScreen(screen), String(screen));
});

test("the keyboard's keys are said only into headphones; through a speaker, once, how to type privately", async () => {
  const { cursorLine } = await import('../../ui/js/keys.js');
  const i18n = await import('../../ui/js/i18n.js');
  const { readFileSync } = await import('node:fs');
  // The real texts, as the page loads them.
  const saved = globalThis.fetch;
  globalThis.fetch = /** @type {typeof fetch} */ (async (url) => new Response(readFileSync(new URL(`../../ui/${url}`, import.meta.url), 'utf8')));
  await i18n.loadDictionaries(['en']);
  globalThis.fetch = saved;
  i18n.setLang('en');
  // Into headphones: the key's name.
  assert.equal(cursorLine({ name: 'letter a', headphones: true, warned: false }), 'letter a');
  assert.equal(cursorLine({ name: '7', headphones: true, warned: true }), '7');
  // Through a speaker: never the key, the way to type privately once, then nothing.
  const first = cursorLine({ name: 'letter a', headphones: false, warned: false });
  assert.equal(first, 'Plug in headphones to type privately; or ask at the front desk.');
  assert.equal(cursorLine({ name: '7', headphones: false, warned: true }), null);
});

test('speech mode or a volume a patient changed is not pristine, until the reset', async () => {
  const { isSpeechDefault } = await import('../../ui/js/speech.js');
  resetSpeech();
  assert.ok(isSpeechDefault());
  setSpeechMode(true);
  assert.ok(!isSpeechDefault(), 'speech mode left on for the next patient');
  resetSpeech();
  nextVolume();
  assert.ok(!isSpeechDefault(), 'a changed volume left for the next patient');
  resetSpeech();
  assert.ok(isSpeechDefault());
});

test("Back while the idle warning shows presses its \"I'm still here\", not the home screen behind it", async () => {
  const { back } = await import('../../ui/js/keys.js');
  let stayed = 0;
  const stay = { click: () => stayed++ };
  /** @type {string[]} */
  const asked = [];
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'document');
  // The page as far as Back looks at it: the warning's one button, nothing else.
  Object.defineProperty(globalThis, 'document', {
    configurable: true,
    value: {
      querySelector: (/** @type {string} */ selector) => (asked.push(selector), selector === '[role=alertdialog]:not([hidden]) button' ? stay : null),
      getElementById: () => null,
    },
  });
  try {
    back(/** @type {any} */ ({}));
  } finally {
    if (saved) Object.defineProperty(globalThis, 'document', saved);
    else delete (/** @type {any} */ (globalThis)).document;
  }
  assert.equal(stayed, 1, 'the warning was answered');
  assert.deepEqual(asked, ['[role=alertdialog]:not([hidden]) button'], 'nothing behind the warning was touched');
});

test("moving the keyboard's cursor keeps the field in view and does not scroll the page at each press", async () => {
  const { setCursor } = await import('../../ui/js/keys.js');
  const rect = (/** @type {number} */ top, /** @type {number} */ bottom) => ({ top, bottom });
  // A fixed keyboard along the bottom of a 1080 px screen, and the field well above it.
  const keyboard = { getBoundingClientRect: () => rect(700, 1080) };
  const keys = [0, 1, 2].map(() => ({ classList: { toggle: () => true }, closest: () => keyboard, getBoundingClientRect: () => rect(900, 960) }));
  const field = { getBoundingClientRect: () => rect(300, 360) };
  let scrolls = 0;
  const saved = { document: Object.getOwnPropertyDescriptor(globalThis, 'document'), innerHeight: globalThis.innerHeight, scrollBy: globalThis.scrollBy };
  Object.defineProperty(globalThis, 'document', {
    configurable: true,
    value: { querySelectorAll: () => keys, getElementById: () => null },
  });
  Object.assign(globalThis, { innerHeight: 1080, scrollBy: () => scrolls++ });
  try {
    for (const index of [0, 1, 2, 1]) setCursor(/** @type {any} */ (field), index);
  } finally {
    if (saved.document) Object.defineProperty(globalThis, 'document', saved.document);
    else delete (/** @type {any} */ (globalThis)).document;
    Object.assign(globalThis, { innerHeight: saved.innerHeight, scrollBy: saved.scrollBy });
  }
  assert.equal(scrolls, 0, 'the page scrolled while the field was in view');
});
