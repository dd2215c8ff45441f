// @ts-check
// Keys only, with speech (issue #13): every journey works with six keys, as on an EZ Access
// keypad. Up and down move focus to the previous and next thing on screen (each radio button
// too), Enter uses it, Back (Escape) goes back, Help turns speech mode on and explains the keys,
// Volume steps the volume. The config's [keys] maps each to a USB keypad's key names.
//
// Text fields: Enter opens the on-screen keyboard (keyboard.js); while it is open, up and down
// move a cursor over its keys (focus and caret stay in the field), Enter presses the key, Back
// closes it. Focus is kept in view above the keyboard and below the header.
//
// Speech mode: every focus change is said, as role and name (computed here from aria-labelledby,
// aria-label, the field's label or the text: the page's own controls use only these; a full
// accessible-name library would be the page's first dependency, for cases it never has). A text field is said as
// "filled in" or "empty", never with what the patient typed, unless headphones are in; the
// on-screen keyboard's keys are said only into headphones (else, once, how to type privately).

import { t, getLang } from './i18n.js';
import * as router from './router.js';
import { closeKeyboard, keyboardInset } from './components/keyboard.js';
import { say, isSpeechMode, setSpeechMode, nextVolume, speechSettings, headphonesIn, initSpeech } from './speech.js';

const ACTIONS = /** @type {const} */ (['up', 'down', 'enter', 'back', 'help', 'volume']);
/** @typedef {typeof ACTIONS[number]} Action */
const FOCUSABLE = 'a[href], button, input, textarea, select, [tabindex]';
const TEXT_TYPES = new Set(['text', 'tel', 'search', 'email', 'url', 'number', 'password']);
const KEYBOARD_ID = 'onscreen-keyboard';

/** The on-screen keyboard's key under the cursor, and the field it types into. */
let cursor = { field: /** @type {Element | null} */ (null), index: -1, warned: false };
/** The element focus left, to say a radio group's name only when focus enters it. */
/** @type {Element | null} */
let lastFocus = null;

/** Listens for the six keys and, in speech mode, says every focus change. */
export function initKeys() {
  initSpeech();
  document.addEventListener('keydown', onKeyDown, { capture: true });
  document.addEventListener('focusin', (event) => {
    const target = /** @type {Element} */ (event.target);
    // Staff screens hold patients' names and phones: nothing on them is said through the
    // lobby's speaker, and speech mode a patient left on goes off there.
    if (isStaffScreen(document.getElementById('main')?.dataset.screen)) {
      if (isSpeechMode()) setSpeechMode(false);
    } else if (isSpeechMode()) announce(target, lastFocus);
    lastFocus = target;
  });
}

/**
 * Whether `screen` (#main's data-screen) is a staff screen (the PIN, the inbox, its notices),
 * where focus is never said.
 * @param {string | undefined} screen
 */
export function isStaffScreen(screen) {
  return screen === 'inbox' || Boolean(screen?.startsWith('staff'));
}

/**
 * Which of the six actions `event` is, by the config's key names (its `key` or its `code`).
 * @param {KeyboardEvent} event
 * @returns {Action | null}
 */
export function actionOf(event) {
  const keys = speechSettings().keys ?? {};
  for (const action of ACTIONS) {
    const names = keys[action] ?? DEFAULT_KEYS[action];
    if (names.includes(event.key) || names.includes(event.code)) return action;
  }
  return null;
}

/**
 * The first key of `action`, as said in the help.
 * @param {Action} action
 */
function keyLabel(action) {
  return (speechSettings().keys?.[action] ?? DEFAULT_KEYS[action])[0] ?? '';
}

/**
 * Help, from the Help key or the header's Help button: speech mode on, and how the kiosk is
 * used with the keys, in the screen's language.
 */
export function sayHelp() {
  setSpeechMode(true);
  say(t('keys.help', { helpKey: keyLabel('help'), volumeKey: keyLabel('volume') }));
}

/** @type {Record<Action, string[]>} */
const DEFAULT_KEYS = { up: ['ArrowUp'], down: ['ArrowDown'], enter: ['Enter'], back: ['Escape'], help: ['F4'], volume: ['F2'] };

/** @param {KeyboardEvent} event */
function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
  const action = actionOf(event);
  if (!action) return;
  const target = /** @type {HTMLElement} */ (document.activeElement ?? document.body);
  // The search box's suggestion list has its own arrows and Enter while it is open.
  if (target.getAttribute('aria-expanded') === 'true' && !keyboardOpenFor(target) && action !== 'help' && action !== 'volume') {
    if (action === 'up' || action === 'down') setTimeout(() => sayActiveOption(target), 0);
    // Back closes the list (the search box's own Escape), which nobody hears: the field is
    // said again, and up and down go on to the controls after it (its Search button).
    else if (action === 'back' && isSpeechMode()) setTimeout(() => target.getAttribute('aria-expanded') === 'false' && announce(target, target), 0);
    return;
  }
  if (handle(action, target, event)) {
    event.preventDefault();
    event.stopPropagation();
  }
}

/**
 * Does `action`; false leaves the key to the page (a physical Enter on a button or link).
 * @param {Action} action
 * @param {HTMLElement} target
 * @param {KeyboardEvent} event
 */
function handle(action, target, event) {
  switch (action) {
    case 'help':
      sayHelp();
      return true;
    case 'volume': {
      const [step, of] = nextVolume();
      say(t('keys.volume', { step, of }));
      return true;
    }
    case 'up':
    case 'down':
      if (keyboardOpenFor(target)) moveCursor(target, action === 'down' ? 1 : -1);
      // A note's lines are the arrows' outside speech mode, as in any text area.
      else if (target instanceof HTMLTextAreaElement && !isSpeechMode() && event.key.startsWith('Arrow')) return false;
      else moveFocus(target, action === 'down' ? 1 : -1);
      return true;
    case 'enter':
      return enter(target, event);
    case 'back':
      // In a field, Escape is the field's own first (clear the search, cancel an edit), unless
      // the on-screen keyboard is open or speech mode is on.
      if (isTextField(target) && !keyboardOpenFor(target) && !isSpeechMode() && event.key === 'Escape') return false;
      back(target);
      return true;
    default:
      return false;
  }
}

/**
 * @param {HTMLElement} target
 * @param {KeyboardEvent} event
 */
function enter(target, event) {
  if (keyboardOpenFor(target) && cursor.index >= 0) {
    pressCursorKey(target);
    return true;
  }
  if (isTextField(target) && !keyboardOpenFor(target)) {
    const field = /** @type {HTMLInputElement} */ (target);
    if (field.value === '' || isSpeechMode()) {
      const toggle = toggleFor(target);
      if (toggle) {
        toggle.click();
        target.focus({ preventScroll: true });
        cursor = { field: target, index: -1, warned: false };
        if (isSpeechMode()) sayKeyboardOpen(cursor);
        return true;
      }
    }
  }
  if (target instanceof HTMLInputElement && (target.type === 'radio' || target.type === 'checkbox')) {
    target.click();
    if (isSpeechMode()) say(stateOf(target));
    return true;
  }
  // A mapped key (a keypad's own Enter code) does what Enter would; a real Enter is the page's.
  if (event.key !== 'Enter' && target !== document.body) {
    target.click();
    return true;
  }
  return false;
}

/**
 * Says that the keyboard is open; without headphones, with how to type privately (said once).
 * @param {typeof cursor} at
 */
async function sayKeyboardOpen(at) {
  if (await headphonesIn()) {
    say(t('keys.keyboardOpen'));
    return;
  }
  at.warned = true;
  say(`${t('keys.keyboardOpen')} ${privacyLine()}`);
}

/**
 * Back: closes the on-screen keyboard, else answers the idle warning (its "I'm still here":
 * going home behind it would clear the patient's form), else the screen's Back, else home.
 * @param {HTMLElement} target
 */
export function back(target) {
  const stay = /** @type {HTMLElement | null} */ (document.querySelector('[role=alertdialog]:not([hidden]) button'));
  if (stay) {
    stay.click();
    return;
  }
  if (keyboardOpenFor(target)) {
    closeKeyboard();
    cursor = { field: null, index: -1, warned: false };
    if (isSpeechMode()) say(t('keys.keyboardClosed'));
    return;
  }
  const button = /** @type {HTMLElement | null} */ (document.querySelector('[data-test=back]:not([hidden])'));
  if (button && button.getClientRects().length && !button.closest('[inert]')) {
    button.click();
    return;
  }
  if (document.getElementById('main')?.dataset.screen !== 'home') {
    router.goHome();
    return;
  }
  if (isSpeechMode()) say(t('keys.atHome'));
}

// ---------- focus ----------

/** What up and down move through: every enabled, visible control, each radio button too. */
export function focusables() {
  return /** @type {HTMLElement[]} */ ([...document.querySelectorAll(FOCUSABLE)]).filter(
    (el) =>
      !(/** @type {any} */ (el).disabled) &&
      el.tabIndex >= 0 &&
      !el.closest(`[inert], [hidden], [aria-hidden="true"], #${KEYBOARD_ID}`) &&
      el.getClientRects().length > 0 &&
      getComputedStyle(el).visibility !== 'hidden',
  );
}

/**
 * Focuses the next (1) or previous (-1) control after `from`, wrapping round, kept in view.
 * @param {Element} from
 * @param {number} step
 */
function moveFocus(from, step) {
  const list = focusables();
  if (!list.length) return;
  let index = list.indexOf(/** @type {HTMLElement} */ (from));
  if (index === -1) {
    // From a heading or the page: the first control after it (or the last before it).
    const after = list.findIndex((el) => from.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
    index = step > 0 ? (after === -1 ? -1 : after - 1) : after === -1 ? list.length : after;
  }
  const next = list[(index + step + list.length) % list.length];
  if (document.activeElement !== from || isTextField(from)) closeKeyboard();
  next.focus({ preventScroll: true });
  keepInView(next);
}

/**
 * Scrolls `el` into view between the header and the on-screen keyboard.
 * @param {Element} el
 */
export function keepInView(el) {
  const header = document.getElementById('site-header');
  const headerBottom = header && getComputedStyle(header).position !== 'static' ? header.getBoundingClientRect().bottom : 0;
  const top = Math.max(0, headerBottom) + 8;
  const bottom = window.innerHeight - keyboardInset() - 16;
  const rect = el.getBoundingClientRect();
  if (rect.top < top) window.scrollBy(0, rect.top - top);
  else if (rect.bottom > bottom) window.scrollBy(0, Math.min(rect.bottom - bottom, rect.top - top));
}

// ---------- the on-screen keyboard ----------

/**
 * The on-screen keyboard's button beside `field` (keyboard.js puts the keyboard right after it).
 * @param {Element} field
 * @returns {HTMLElement | null}
 */
function toggleFor(field) {
  for (let el = field.parentElement; el && el !== document.body; el = el.parentElement) {
    // The nearest box with a toggle, and only if this field is its one text field (so
    // another field's toggle is never taken).
    if ([...el.querySelectorAll('input, textarea')].filter(isTextField).length > 1) return null;
    const toggle = el.querySelector('.keyboard-toggle');
    if (toggle) return /** @type {HTMLElement} */ (toggle);
  }
  return null;
}

/** @param {Element} field */
function keyboardOpenFor(field) {
  const root = document.getElementById(KEYBOARD_ID);
  return Boolean(root?.isConnected && isTextField(field) && toggleFor(field)?.getAttribute('aria-expanded') === 'true');
}

const keyboardKeys = () => /** @type {HTMLElement[]} */ ([...document.querySelectorAll(`#${KEYBOARD_ID} .kb-key`)]);

/**
 * @param {Element} field
 * @param {number} step
 */
function moveCursor(field, step) {
  const keys = keyboardKeys();
  if (!keys.length) return;
  if (cursor.field !== field) cursor = { field, index: -1, warned: false };
  cursor.index = cursor.index === -1 ? (step > 0 ? 0 : keys.length - 1) : (cursor.index + step + keys.length) % keys.length;
  markCursor();
  if (isSpeechMode()) sayCursorKey(keys[cursor.index]);
}

/**
 * Says the key under the cursor, into headphones only: through a speaker a bystander could
 * follow a name or a phone number key by key, so the patient hears once how to type privately.
 * @param {HTMLElement} key
 */
async function sayCursorKey(key) {
  const at = cursor;
  const line = cursorLine({ name: keyName(key), headphones: await headphonesIn(), warned: at.warned });
  if (line === privacyLine()) at.warned = true;
  if (line && cursor === at) say(line);
}

/** What a patient without headphones hears instead of the keys' names. */
const privacyLine = () => t('keys.typePrivately');

/**
 * What moving the keyboard's cursor onto a key says: its name into headphones; through a
 * speaker, once, how to type privately (headphones, or the front desk), then nothing.
 * @param {{ name: string, headphones: boolean, warned: boolean }} options
 * @returns {string | null} null: nothing is said
 */
export function cursorLine({ name, headphones, warned }) {
  if (headphones) return name;
  return warned ? null : privacyLine();
}

/**
 * Shows the cursor on its key, and keeps the field being typed into in view above the keyboard
 * (the keyboard is fixed at the bottom: keeping it "in view" scrolled the page at each press).
 */
export function markCursor() {
  const keys = keyboardKeys();
  keys.forEach((key, i) => key.classList.toggle('is-key-cursor', i === cursor.index));
  if (keys[cursor.index] && cursor.field) keepInView(cursor.field);
}

/**
 * Puts the keyboard's cursor on key `index` of `field`'s keyboard and shows it (the unit
 * tests' way to move it without key events).
 * @param {Element} field
 * @param {number} index
 */
export function setCursor(field, index) {
  cursor = { field, index, warned: cursor.field === field && cursor.warned };
  markCursor();
}

/** @param {Element} field */
async function pressCursorKey(field) {
  const key = keyboardKeys()[cursor.index];
  if (!key) return;
  const name = keyName(key);
  const index = cursor.index;
  const types = key.classList.contains('kb-key--char') || key.dataset.key === 'space';
  key.click();
  // The keyboard may have been drawn again (shift) or closed (Next, Done, Hide).
  if (document.getElementById(KEYBOARD_ID)?.isConnected && document.activeElement === field) markCursor();
  else cursor = { field: null, index: -1, warned: false };
  if (!isSpeechMode()) return;
  // What was typed is said only into headphones; through a speaker, only that something was.
  if (types) say((await headphonesIn()) ? name : t('keys.typed'));
  else if (key.dataset.key === 'backspace') say(t('keys.deleted'));
  else if (key.dataset.key === 'close') say(t('keys.keyboardClosed'));
  else if (key.dataset.key === 'shift' || key.dataset.key === 'accents') {
    const now = keyboardKeys()[index];
    say(`${name}, ${now?.getAttribute('aria-pressed') === 'true' ? t('keys.on') : t('keys.off')}`);
  }
  // Enter ("Next", "Search", "Done") moves focus or changes screen, which is said itself.
}

/** @param {HTMLElement} key */
function keyName(key) {
  const name = key.getAttribute('aria-label') || key.textContent?.trim() || key.dataset.key || '';
  if (/^\p{L}$/u.test(name)) return t('keys.letter', { letter: name.toLocaleUpperCase(getLang()) === name ? t('keys.capital', { letter: name }) : name });
  return name;
}

// ---------- what is said ----------

/** @param {Element} el */
function isTextField(el) {
  return el instanceof HTMLTextAreaElement || (el instanceof HTMLInputElement && TEXT_TYPES.has(el.type));
}

/** @param {HTMLElement} combobox */
function sayActiveOption(combobox) {
  const id = combobox.getAttribute('aria-activedescendant');
  const option = id ? document.getElementById(id) : null;
  if (option && isSpeechMode()) say(`${text(option)}, ${t('keys.roles.option')}`);
}

/**
 * Says `el` as role, name and state, with its group or dialog when focus has just entered it.
 * @param {Element} el
 * @param {Element | null} previous
 */
async function announce(el, previous) {
  /** @type {string[]} */
  const parts = [];
  const dialog = el.closest('[role=dialog], [role=alertdialog]');
  if (dialog && !dialog.contains(previous)) parts.push(labelOf(dialog), describedBy(dialog));
  const group = el.closest('[role=radiogroup], fieldset');
  if (group && el instanceof HTMLInputElement && !group.contains(previous)) parts.push(labelOf(group));
  parts.push(nameOf(el), roleOf(el));
  if (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox')) parts.push(stateOf(el));
  if (isTextField(el)) {
    const value = /** @type {HTMLInputElement} */ (el).value;
    // Never what the patient typed through a speaker (issue #13): only that something is there.
    parts.push(value === '' ? t('keys.empty') : (await headphonesIn()) ? value : t('keys.filledIn'));
    parts.push(describedBy(el));
  }
  if (document.activeElement !== el) return;
  say(parts.filter(Boolean).join(', '));
}

/** @param {HTMLInputElement} input */
function stateOf(input) {
  return input.checked ? t('keys.checked') : t('keys.notChecked');
}

/** @param {Element} el */
function roleOf(el) {
  const role = el.getAttribute('role');
  const heading = /^H([1-6])$/.exec(el.tagName);
  if (heading) return t('keys.roles.heading', { level: heading[1] });
  /** @type {string | null} */
  let key = null;
  if (role && ['button', 'link', 'combobox', 'option', 'dialog', 'alertdialog', 'checkbox', 'radio'].includes(role)) key = role;
  else if (el instanceof HTMLAnchorElement) key = 'link';
  else if (el instanceof HTMLButtonElement) key = 'button';
  else if (el instanceof HTMLInputElement && el.type === 'radio') key = 'radio';
  else if (el instanceof HTMLInputElement && el.type === 'checkbox') key = 'checkbox';
  else if (isTextField(el)) key = 'textField';
  return key ? t(`keys.roles.${key}`) : '';
}

/** @param {Element} el */
function nameOf(el) {
  const label = labelOf(el);
  if (label) return label;
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    return [...(el.labels ?? [])].map(text).join(' ');
  }
  return text(el);
}

/** aria-labelledby, then aria-label (the two ways this page names things). */
/** @param {Element} el */
function labelOf(el) {
  const ids = el.getAttribute('aria-labelledby');
  if (ids) {
    const named = ids
      .split(/\s+/)
      .map((id) => document.getElementById(id))
      .filter(Boolean)
      .map((node) => text(/** @type {Element} */ (node)))
      .join(' ');
    if (named) return named;
  }
  return el.getAttribute('aria-label')?.trim() ?? '';
}

/** @param {Element} el */
function describedBy(el) {
  const ids = el.getAttribute('aria-describedby');
  if (!ids) return '';
  return ids
    .split(/\s+/)
    .map((id) => document.getElementById(id))
    .filter((node) => node && !node.hidden)
    .map((node) => text(/** @type {Element} */ (node)))
    .join('. ');
}

/**
 * The text a person sees in `el` (hidden parts and icons left out), on one line.
 * @param {Element} el
 */
function text(el) {
  if (el instanceof HTMLElement) return el.innerText.replace(/\s+/g, ' ').trim();
  return (el.textContent ?? '').replace(/\s+/g, ' ').trim();
}
