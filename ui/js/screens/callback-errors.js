// @ts-check
// The callback form's problems on screen: a message next to each field and a summary at the
// top that links to them. Problems are shown when Send is pressed, never as a field is left (a
// message appearing then would move the Send button out from under the finger pressing it).

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';

/** Fields in the order they appear, for the error summary. */
export const ORDER = ['requestId', 'specialty', 'name', 'phone', 'bestTime', 'language', 'note', 'consent'];

/**
 * @param {Record<string, import('./callback-fields.js').FieldEntry>} entries the form's fields
 * @param {(field: string) => void} focusField moves focus to a field, from a summary link
 */
export function errorDisplay(entries, focusField) {
  /** field -> message currently shown */
  const errors = new Map();
  const list = h('ul', { class: 'error-summary__list' });
  const summary = h(
    'div',
    {
      class: 'error-summary',
      id: 'cb-error-summary',
      tabindex: '-1',
      'aria-labelledby': 'cb-error-summary-title',
      dataset: { test: 'error-summary' },
      hidden: true,
    },
    h('h2', { class: 'error-summary__title', id: 'cb-error-summary-title' }, icon('alert'), t('callback.errorSummaryTitle')),
    list,
  );

  /**
   * @param {string} field
   * @param {string | null} message null takes the problem away
   */
  function set(field, message) {
    const entry = entries[field];
    if (!message) errors.delete(field);
    else errors.set(field, message);
    if (!entry) return;
    entry.error.set(message);
    const target = entry.control;
    if (message) target.setAttribute('aria-invalid', 'true');
    else target.removeAttribute('aria-invalid');
    const ids = [...entry.describedBy, ...(message ? [entry.error.id] : [])];
    if (ids.length) target.setAttribute('aria-describedby', ids.join(' '));
    else target.removeAttribute('aria-describedby');
  }

  /** The summary lists the problems shown now, in the order of the fields. */
  function refresh() {
    const items = ORDER.filter((field) => errors.has(field));
    if (!items.length) {
      summary.hidden = true;
      list.replaceChildren();
      return;
    }
    list.replaceChildren(...items.map((field) => summaryItem(field, errors.get(field), entries[field], focusField)));
  }

  return {
    summary,
    /** @param {string} field */
    has: (field) => errors.has(field),
    set,
    /**
     * Shows these problems (the first for each field) instead of any before, with the summary.
     * @param {{ field: string, message: string }[]} problems
     */
    showAll(problems) {
      for (const field of ORDER) set(field, null);
      for (const { field, message } of problems) {
        if (!errors.has(field)) set(field, message);
      }
      summary.hidden = false;
      refresh();
      revealAtTop(summary);
      summary.focus({ preventScroll: true });
    },
    /** No problem anywhere, and no summary. */
    clearAll() {
      for (const field of ORDER) set(field, null);
      summary.hidden = true;
      list.replaceChildren();
    },
    /** Forgets every message (the form is being wiped). */
    forget() {
      errors.clear();
      list.replaceChildren();
    },
  };
}

/**
 * A line of the summary: the problem, as a link to its field.
 * @param {string} field
 * @param {string} text
 * @param {import('./callback-fields.js').FieldEntry | undefined} entry
 * @param {(field: string) => void} focusField
 */
function summaryItem(field, text, entry, focusField) {
  if (!entry) return h('li', {}, text);
  const link = h(
    'a',
    {
      href: `#${entry.focus.id}`,
      class: 'error-summary__link',
      dataset: { test: 'summary-link', field },
      onclick: (/** @type {Event} */ event) => {
        // The address belongs to the router: focus the field without changing it.
        event.preventDefault();
        focusField(field);
      },
    },
    text,
  );
  return h('li', {}, link);
}

/**
 * Scrolls so `element` starts just below the sticky header.
 * @param {HTMLElement} element
 */
function revealAtTop(element) {
  const header = document.getElementById('site-header');
  const below = header ? header.getBoundingClientRect().bottom : 0;
  window.scrollBy(0, element.getBoundingClientRect().top - below - 16);
}
