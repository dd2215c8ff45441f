// @ts-check
// The on-screen keyboard, for a touch screen with no physical keyboard. One keyboard, docked at
// the bottom of the window, serves whichever attached field is in use, and never covers it:
// while it is open the page gets bottom padding of its height and the field is scrolled above it.
//
//   const keyboard = attach(input, { layout: 'text', enterLabel: t('searchBox.submit') });
//   row.append(keyboard.toggle); // the "keyboard" button beside the field, for mouse and keyboard users
//
// A tap or click in the field opens it; focus by Tab does not, as a keyboard user needs no keys.
// Keys are buttons that never take focus (tabindex -1, pointerdown prevented), so the field keeps
// its focus and caret, a physical keyboard keeps working, and every key fires 'input' as typing
// does. The keyboard is built afresh each time it opens, in the language of the moment, and is
// taken down when the screen changes (main.js calls closeKeyboard), so nothing carries over.
//
// The keyboard element is placed right after the toggle, so screen readers meet it beside the
// field; it is `position: fixed`, so no ancestor of the field may have a transform or filter.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, getLang } from '../i18n.js';
import { selectionRange, insertion, deletion, hasCase } from './text-editing.js';

const ROOT_ID = 'onscreen-keyboard';
const DIGITS = [...'1234567890'];
const ACCENTED = [...'áéíóúüñ'];
const LETTERS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'].map((row) => [...row]);
/** Space left between the field and the keyboard, in CSS pixels. */
const MARGIN = 16;

/** @typedef {HTMLInputElement | HTMLTextAreaElement} TextField */

/**
 * A field the keyboard serves, and how.
 * @typedef {object} Attachment
 * @property {TextField} input
 * @property {'text' | 'phone'} layout
 * @property {string} enterLabel
 * @property {string | null} enterIcon
 * @property {(() => void) | null} onEnter
 * @property {HTMLElement} reveal
 * @property {number} room
 * @property {HTMLButtonElement} toggle
 */

/**
 * @typedef {object} KeyboardOptions
 * @property {string} [layout] 'text' (letters, digits, accents) or 'phone' (a digit pad with + and space)
 * @property {string} [enterLabel] the enter key's words ("Search"); "Done" when not given
 * @property {string} [enterIcon] an icon name for the enter key
 * @property {() => void} [onEnter] what the enter key does. By default it acts as a physical
 *   Enter in the field (a keydown the field's own handlers see, then the form is submitted)
 *   and closes the keyboard.
 * @property {HTMLElement} [reveal] the element kept in view above the keyboard (default the field itself)
 * @property {number} [room] rem of space to keep free under `reveal`, for a list that opens below it (default 0)
 */

/** @typedef {string | null | undefined | false | Variant[]} Variant */

/** @type {HTMLElement | null} */
let root = null;
/**
 * The open keyboard, or null when closed.
 * @type {{ attachment: Attachment, shift: boolean, accents: boolean } | null}
 */
let current = null;
/** @type {ResizeObserver | null} */
let resizeObserver = null;

/**
 * Attaches the keyboard to a text field (input or textarea).
 * @param {TextField} input
 * @param {KeyboardOptions} [options]
 * @returns {{ toggle: HTMLButtonElement, open(): void, close(): void, isOpen(): boolean }}
 *   `toggle` is the button to place next to the field.
 */
export function attach(input, options = {}) {
  /** @type {Attachment} */
  const attachment = {
    input,
    layout: options.layout === 'phone' ? 'phone' : 'text',
    enterLabel: options.enterLabel ?? t('keyboard.done'),
    enterIcon: options.enterIcon ?? null,
    onEnter: options.onEnter ?? null,
    reveal: options.reveal ?? input,
    room: options.room ?? 0,
    toggle: /** @type {HTMLButtonElement} */ (/** @type {unknown} */ (null)),
  };
  const isOpen = () => current?.attachment === attachment;

  attachment.toggle = h(
    'button',
    {
      type: 'button',
      class: 'keyboard-toggle',
      'aria-label': t('keyboard.toggle'),
      'aria-expanded': 'false',
      'aria-controls': ROOT_ID,
      dataset: { test: 'keyboard-toggle' },
      // With a mouse the field keeps focus; from the keyboard (Enter, Space) focus moves as asked.
      onpointerdown: (/** @type {PointerEvent} */ event) => {
        if (document.activeElement === input) event.preventDefault();
      },
      onclick: () => {
        if (isOpen()) closeKeyboard();
        else open(attachment, { focus: true });
      },
    },
    icon('keyboard'),
  );

  input.addEventListener('click', () => {
    if (!isOpen()) open(attachment);
  });
  // Moving to another attached field while the keyboard is open (the next field of a form)
  // brings that field's layout.
  input.addEventListener('focus', () => {
    if (current && !isOpen()) open(attachment);
  });

  return {
    toggle: attachment.toggle,
    open: () => open(attachment, { focus: true }),
    close: () => {
      if (isOpen()) closeKeyboard();
    },
    isOpen,
  };
}

/** Closes the keyboard, whichever field it serves. Called on every change of screen. */
export function closeKeyboard() {
  if (!current) return;
  const { attachment } = current;
  current = null;
  resizeObserver?.disconnect();
  setExpanded(attachment, false);
  root?.replaceChildren();
  root?.remove();
  const html = document.documentElement;
  html.classList.remove('has-keyboard');
  html.style.removeProperty('--keyboard-height');
  notify(attachment, false);
}

/** The height the keyboard covers at the bottom of the window, in CSS pixels (0 when closed). */
export function keyboardInset() {
  return current && root ? root.getBoundingClientRect().height : 0;
}

/**
 * @param {Attachment} attachment
 * @param {{ focus?: boolean }} [options] focus: move focus to the field
 */
function open(attachment, { focus = false } = {}) {
  const { input } = attachment;
  if (!input.isConnected) return;
  if (current) setExpanded(current.attachment, false);
  current = { attachment, shift: false, accents: false };

  root ??= h('div', {
    id: ROOT_ID,
    role: 'group',
    dataset: { test: 'keyboard' },
    onpointerdown: pressStart,
    // Pointer and mouse both: whichever the platform uses to move focus, it stays in the field.
    onmousedown: (/** @type {MouseEvent} */ event) => event.preventDefault(),
  });
  root.className = `keyboard keyboard--${attachment.layout}`;
  root.dataset.layout = attachment.layout;
  root.setAttribute('aria-label', t('keyboard.label'));
  render();
  const toggle = attachment.toggle;
  (toggle.isConnected ? toggle : input).after(root);
  setExpanded(attachment, true);
  if (focus && document.activeElement !== input) input.focus({ preventScroll: true });

  fit();
  resizeObserver ??= new ResizeObserver(() => {
    if (current) fit();
  });
  // Its own size changes with the window; the page's when the text size does.
  resizeObserver.observe(root);
  resizeObserver.observe(document.body);
  notify(attachment, true);
}

/** Pads the page by the keyboard's height and brings the field into view above it. */
function fit() {
  if (!root || !current) return;
  const height = Math.ceil(root.getBoundingClientRect().height);
  const html = document.documentElement;
  html.style.setProperty('--keyboard-height', `${height}px`);
  html.classList.add('has-keyboard');

  const { reveal, room } = current.attachment;
  const target = reveal.isConnected ? reveal : current.attachment.input;
  const style = getComputedStyle(html);
  const top = coveredTop(style) + 8;
  const bottom = window.innerHeight - height - MARGIN;
  const rect = target.getBoundingClientRect();
  const wanted = rect.bottom + room * (parseFloat(style.fontSize) || 16);
  let delta = 0;
  if (rect.top < top) delta = rect.top - top;
  else if (wanted > bottom) delta = Math.min(wanted - bottom, rect.top - top);
  // The field itself comes first: when its label, hint and error do not all fit above the
  // keyboard (200 % text on a 1280x800 screen), they give way upwards, and the field stays in
  // view; its top wins over its bottom if even the field is taller than the room.
  const field = current.attachment.input.getBoundingClientRect();
  if (field.bottom - delta > bottom) delta = field.bottom - bottom;
  if (field.top - delta < top) delta = field.top - top;
  if (Math.abs(delta) >= 1) window.scrollBy(0, delta);
}

/** How far down the window a sticky or fixed bar (the header) covers the page. */
/** @param {CSSStyleDeclaration} style the root element's */
function coveredTop(style) {
  let top = parseFloat(style.scrollPaddingTop) || 0;
  for (const element of document.elementsFromPoint(window.innerWidth / 2, 1)) {
    const { position } = getComputedStyle(element);
    if (position === 'sticky' || position === 'fixed') top = Math.max(top, element.getBoundingClientRect().bottom);
  }
  return top;
}

/**
 * @param {Attachment} attachment
 * @param {boolean} expanded
 */
function setExpanded(attachment, expanded) {
  attachment.toggle.setAttribute('aria-expanded', String(expanded));
}

/**
 * @param {Attachment} attachment
 * @param {boolean} opened
 */
function notify(attachment, opened) {
  attachment.input.dispatchEvent(new CustomEvent('keyboardchange', { detail: { open: opened } }));
}

// ---------- keys ----------

function render() {
  if (!root || !current) return;
  const rows = current.attachment.layout === 'phone' ? phoneRows() : textRows();
  root.replaceChildren(h('div', { class: 'keyboard__body' }, rows));
}

function textRows() {
  const { shift, accents, attachment } = /** @type {NonNullable<typeof current>} */ (current);
  const lang = getLang();
  /**
   * @param {string[]} list
   * @param {Variant} [variant]
   */
  const letters = (list, variant) => list.map((c) => charKey(shift ? c.toLocaleUpperCase(lang) : c, { variant }));
  // Spanish has ñ beside l, as on a Spanish keyboard; every accented letter is one tap away.
  const home = lang === 'es' ? [...LETTERS[1], 'ñ'] : LETTERS[1];
  return [
    row(
      // The accents take the digits' place, so no key moves and the keyboard keeps its height.
      accents ? letters(ACCENTED, 'fill') : DIGITS.map((d) => charKey(d)),
      key({ key: 'backspace', icon: 'backspace', name: t('keyboard.backspace'), variant: ['fn', 'wide'] }),
    ),
    row(letters(LETTERS[0]), charKey('-', { name: t('keyboard.hyphen') }), charKey("'", { name: t('keyboard.apostrophe') })),
    row(letters(home)),
    row(
      key({ key: 'shift', icon: 'shift', name: t('keyboard.shift'), variant: ['fn', 'fill'], pressed: shift }),
      letters(LETTERS[2]),
      key({
        key: 'accents',
        label: lang === 'es' ? 'á é ü' : 'á é ñ',
        name: t('keyboard.accents'),
        variant: ['fn', 'fill', 'accents'],
        pressed: accents,
      }),
    ),
    row(closeKey(['fn', 'wider']), spaceKey('fill'), enterKey(attachment, 'wider')),
  ];
}

function phoneRows() {
  const attachment = /** @type {NonNullable<typeof current>} */ (current).attachment;
  const digits = (/** @type {string} */ list) => [...list].map((d) => charKey(d));
  return [
    row(digits('123'), key({ key: 'backspace', icon: 'backspace', name: t('keyboard.backspace'), variant: ['fn', 'side'] })),
    row(digits('456'), spaceKey(['fn', 'side'])),
    row(digits('789'), closeKey(['fn', 'side'])),
    row(charKey('+', { name: t('keyboard.plus') }), charKey('0'), enterKey(attachment, 'fill')),
  ];
}

const row = (/** @type {import('../dom.js').Child[]} */ ...keys) => h('div', { class: 'keyboard__row' }, keys);

/**
 * A key that types `char`; symbols get a spoken name, letters and digits are their own name.
 * @param {string} char
 * @param {{ name?: string | null, variant?: Variant }} [options]
 */
function charKey(char, { name = null, variant = null } = {}) {
  return key({ key: char, label: char, name, insert: char, variant: ['char', variant] });
}

/** @param {Variant} variant */
function spaceKey(variant) {
  return key({ key: 'space', label: t('keyboard.space'), insert: ' ', variant: ['space', variant] });
}

/** @param {Variant} variant */
function closeKey(variant) {
  return key({ key: 'close', icon: 'keyboardHide', label: t('keyboard.hide'), variant: ['close', variant] });
}

/**
 * @param {Attachment} attachment
 * @param {Variant} variant
 */
function enterKey(attachment, variant) {
  return key({ key: 'enter', icon: attachment.enterIcon, label: attachment.enterLabel, variant: ['enter', variant] });
}

/**
 * @param {{ key: string, label?: string | null, name?: string | null, icon?: string | null, insert?: string | null, variant?: Variant, pressed?: boolean | null }} options
 */
function key({ key: value, label = null, name = null, icon: iconName = null, insert = null, variant = [], pressed = null }) {
  return h(
    'button',
    {
      type: 'button',
      tabindex: '-1',
      class: ['kb-key', .../** @type {unknown[]} */ ([variant]).flat(Infinity).map((v) => v && `kb-key--${v}`)],
      'aria-label': name,
      'aria-pressed': pressed == null ? null : String(pressed),
      dataset: { test: 'key', key: value },
      onclick: () => press(value, insert),
    },
    iconName ? icon(iconName, 'kb-key__icon') : null,
    label ? h('span', { class: 'kb-key__label' }, label) : null,
  );
}

// ---------- what keys do ----------

/**
 * @param {string} value the key
 * @param {string | null} insert the text it types, if it types one
 */
function press(value, insert) {
  if (!current) return;
  const { input } = current.attachment;
  if (!input.isConnected) {
    closeKeyboard();
    return;
  }
  if (document.activeElement !== input) input.focus({ preventScroll: true });
  if (insert !== null) {
    type(input, insert);
    // Shift is for one letter, as on a phone.
    if (current.shift && hasCase(insert)) {
      current.shift = false;
      render();
    }
    return;
  }
  switch (value) {
    case 'backspace':
      erase(input);
      break;
    case 'shift':
      current.shift = !current.shift;
      render();
      break;
    case 'accents':
      current.accents = !current.accents;
      render();
      break;
    case 'close':
      closeKeyboard();
      break;
    case 'enter':
      enter(current.attachment);
      break;
    default:
      break;
  }
}

/**
 * Inserts `text` at the caret, over any selection, as typing would.
 * @param {TextField} input
 * @param {string} text
 */
function type(input, text) {
  const range = insertion(input.value, selection(input), text, input.maxLength);
  if (range) replace(input, text, ...range, 'insertText');
}

/**
 * Deletes the selection, or the character before the caret.
 * @param {TextField} input
 */
function erase(input) {
  const range = deletion(input.value, selection(input));
  if (range) replace(input, '', ...range, 'deleteContentBackward');
}

/** @param {TextField} input */
const selection = (input) => selectionRange(input.value.length, input.selectionStart, input.selectionEnd);

/**
 * @param {TextField} input
 * @param {string} text
 * @param {number} start
 * @param {number} end
 * @param {'insertText' | 'deleteContentBackward'} inputType
 */
function replace(input, text, start, end, inputType) {
  try {
    input.setRangeText(text, start, end, 'end');
  } catch {
    // Field types without a caret (email, number): add or remove at the end.
    input.value = inputType === 'insertText' ? input.value + text : input.value.slice(0, -1);
  }
  input.dispatchEvent(new InputEvent('input', { bubbles: true, inputType, data: text || null }));
}

/**
 * Enter: the caller's action, or what a physical Enter does in the field. Then the keys go.
 * @param {Attachment} attachment
 */
function enter(attachment) {
  const { input, onEnter } = attachment;
  closeKeyboard();
  if (onEnter) {
    onEnter();
    return;
  }
  if (input.tagName === 'TEXTAREA') return;
  const event = new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true });
  if (!input.dispatchEvent(event) || !input.form) return;
  if (typeof input.form.requestSubmit === 'function') input.form.requestSubmit();
  else input.form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
}

// ---------- pressed look ----------

/** @type {Element | null} */
let pressedKey = null;

/** Keeps focus in the field, and shows the key as pressed for as long as the finger is on it. */
/** @param {PointerEvent} event */
function pressStart(event) {
  event.preventDefault();
  const target = /** @type {Element | null} */ (event.target)?.closest?.('.kb-key');
  if (!target) return;
  release();
  pressedKey = target;
  target.classList.add('is-pressed');
  for (const end of ['pointerup', 'pointercancel']) window.addEventListener(end, release, { once: true });
}

function release() {
  pressedKey?.classList.remove('is-pressed');
  pressedKey = null;
}
