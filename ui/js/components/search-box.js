// @ts-check
// The search field with type-ahead, following the ARIA combobox pattern (a listbox popup with
// aria-activedescendant): suggestions from the 2nd character, arrow keys move, Enter opens the
// highlighted article or searches, Escape closes the list. A tap in the field brings up the
// on-screen keyboard, whose Search key submits as Enter does.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, getLang } from '../i18n.js';
import * as api from '../api.js';
import { attach as attachKeyboard, keyboardInset } from './keyboard.js';

const MIN_CHARS = 2;
const DEBOUNCE_MS = 150;

/**
 * A suggestion as `suggest` gives it (docs/ipc.md).
 * @typedef {{ slug: string, title: string, [key: string]: any }} Suggestion
 */

/**
 * @param {object} options
 * @param {string} [options.value] text to start with
 * @param {boolean} [options.large] the big home-screen variant
 * @param {(query: string) => void} options.onSubmit a search was asked for
 * @param {(suggestion: Suggestion) => void} options.onPick a suggested article was chosen
 */
// eslint-disable-next-line max-lines-per-function -- A component's factory: the inner functions share the box's state (its suggestions, the active option, the pending request); each is short.
export function createSearchBox({ value = '', large = false, onSubmit, onPick }) {
  const listId = 'search-suggestions';
  const labelId = 'search-label';
  /** @type {Suggestion[]} */
  let suggestions = [];
  let active = -1;
  let timer = 0;
  let sequence = 0;

  const input = h('input', {
    id: 'search-input',
    class: 'searchbox__input',
    type: 'text',
    name: 'q',
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    enterkeyhint: 'search',
    maxlength: '200',
    placeholder: t('searchBox.placeholder'),
  });
  input.value = value;

  const list = h('ul', {
    id: listId,
    class: 'searchbox__list',
    role: 'listbox',
    'aria-label': t('searchBox.suggestionsLabel'),
    hidden: true,
  });

  const clearButton = h(
    'button',
    {
      type: 'button',
      class: 'searchbox__clear',
      'aria-label': t('searchBox.clear'),
      hidden: !value,
      // A tap keeps focus in the field, so the on-screen keyboard stays ready for new words.
      onpointerdown: (/** @type {PointerEvent} */ event) => event.preventDefault(),
    },
    icon('close'),
  );

  const field = h('div', { class: 'searchbox__field' }, icon('search', 'searchbox__icon'), input, clearButton, list);
  const keyboard = attachKeyboard(input, {
    layout: 'text',
    enterLabel: t('searchBox.submit'),
    enterIcon: 'search',
    reveal: field,
    // Room under the field for a few suggestions above the keyboard.
    room: 7,
  });

  const form = h(
    'form',
    { class: ['searchbox', large && 'searchbox--large'], role: 'search', 'aria-labelledby': labelId, novalidate: true },
    h('label', { class: 'searchbox__label', id: labelId, for: 'search-input' }, t('searchBox.label')),
    // The placeholder's example in words of its own, shown at 150 and 200 % text (kiosk.css),
    // where the field is too narrow for it. Screen readers have it as the placeholder already.
    h('p', { class: 'searchbox__example', 'aria-hidden': 'true' }, t('searchBox.placeholder')),
    h(
      'div',
      { class: 'searchbox__row' },
      field,
      keyboard.toggle,
      h('button', { type: 'submit', class: 'button button--primary searchbox__submit' }, icon('search'), t('searchBox.submit')),
    ),
  );

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    setActive(-1);
  }

  function open() {
    if (suggestions.length === 0) return;
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    fitList();
  }

  /** With the on-screen keyboard up, the list ends above it (and scrolls) instead of under it. */
  function fitList() {
    const inset = keyboardInset();
    if (!inset) {
      list.style.removeProperty('max-height');
      return;
    }
    const room = window.innerHeight - inset - list.getBoundingClientRect().top - 12;
    list.style.setProperty('max-height', `${Math.max(room, 96)}px`);
  }

  /** @param {number} index */
  function setActive(index) {
    active = index;
    [...list.children].forEach((option, i) => option.setAttribute('aria-selected', String(i === index)));
    if (index >= 0 && list.children[index]) {
      input.setAttribute('aria-activedescendant', list.children[index].id);
      list.children[index].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  /** @param {string} query */
  function renderOptions(query) {
    list.replaceChildren(
      ...suggestions.map((suggestion, index) =>
        h(
          'li',
          {
            id: `${listId}-${index}`,
            class: 'searchbox__option',
            role: 'option',
            'aria-selected': 'false',
            dataset: { test: 'suggestion', slug: suggestion.slug },
            // Keep focus in the field, so the on-screen keyboard stays and the click still lands.
            onpointerdown: (/** @type {PointerEvent} */ event) => event.preventDefault(),
            onclick: () => pick(index),
          },
          icon('document', 'searchbox__option-icon'),
          highlight(suggestion.title, query),
        ),
      ),
    );
  }

  async function fetchSuggestions() {
    const query = input.value.trim();
    const mine = ++sequence;
    if ([...query].length < MIN_CHARS) {
      suggestions = [];
      close();
      return;
    }
    try {
      const found = await api.suggest(query, getLang());
      if (mine !== sequence || document.activeElement !== input) return;
      suggestions = Array.isArray(found) ? found.slice(0, 6) : [];
    } catch {
      // Type-ahead is a help, not a must: on failure the list just stays closed.
      if (mine !== sequence) return;
      suggestions = [];
    }
    renderOptions(query);
    setActive(-1);
    if (suggestions.length) open();
    else close();
  }

  /** @param {number} index */
  function pick(index) {
    const suggestion = suggestions[index];
    if (!suggestion) return;
    sequence++;
    close();
    onPick(suggestion);
  }

  function submit() {
    sequence++;
    clearTimeout(timer);
    close();
    onSubmit(input.value.trim());
  }

  input.addEventListener('input', () => {
    clearButton.hidden = input.value === '';
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (event) => {
    const count = suggestions.length;
    switch (event.key) {
      case 'ArrowDown':
        if (!count) return;
        event.preventDefault();
        if (list.hidden) open();
        setActive(active + 1 >= count ? 0 : active + 1);
        break;
      case 'ArrowUp':
        if (!count) return;
        event.preventDefault();
        if (list.hidden) open();
        setActive(active <= 0 ? count - 1 : active - 1);
        break;
      case 'Enter':
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          pick(active);
        }
        break;
      case 'Escape':
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = '';
          clearButton.hidden = true;
        }
        break;
      default:
        break;
    }
  });

  input.addEventListener('keyboardchange', () => {
    if (!list.hidden) fitList();
  });

  input.addEventListener('blur', () => {
    sequence++;
    clearTimeout(timer);
    close();
  });

  clearButton.addEventListener('click', () => {
    input.value = '';
    clearButton.hidden = true;
    suggestions = [];
    close();
    input.focus();
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });

  return {
    element: form,
    input,
    /** @param {string} text */
    setValue(text) {
      input.value = text;
      clearButton.hidden = text === '';
    },
  };
}

/** The title with the typed words in bold, built from text nodes only. */
/**
 * @param {string} title
 * @param {string} query
 */
function highlight(title, query) {
  const at = title.toLocaleLowerCase().indexOf(query.toLocaleLowerCase());
  if (!query || at === -1) return h('span', { class: 'searchbox__option-text' }, title);
  return h(
    'span',
    { class: 'searchbox__option-text' },
    title.slice(0, at),
    h('strong', {}, title.slice(at, at + query.length)),
    title.slice(at + query.length),
  );
}
