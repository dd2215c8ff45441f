// @ts-check
// The callback form's fields: each control with its label, hint and error slot, and what the
// form holds. Nothing here checks a value (callback-rules.js) or sends one (callback-submit.js).

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { PHONE_INPUT_MAX } from './callback-rules.js';

// Language names are written in their own language, as in the header.
const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
];

/**
 * Where a field's problem is shown, and where focus goes to fix it.
 * @typedef {object} FieldEntry
 * @property {HTMLElement} control the element that carries aria-invalid
 * @property {HTMLElement} focus what a summary link focuses
 * @property {ErrorSlot} error
 * @property {string[]} describedBy ids the control is described by when it has no problem
 * @property {HTMLElement} [wrapper] scrolled into view with the field
 * @property {boolean} [group] a set of radio buttons (focused through its group)
 */

/**
 * @typedef {object} ErrorSlot
 * @property {string} id
 * @property {HTMLElement} node
 * @property {(message: string | null) => void} set
 */

/**
 * A set of radio buttons, one value at a time.
 * @typedef {object} ChoiceGroup
 * @property {string} field
 * @property {HTMLFieldSetElement} node
 * @property {() => string} value the checked value, or ''
 * @property {(value: string | null) => void} set
 * @property {() => void} focus
 */

/**
 * What a redrawn form carries over from the one it replaces.
 * @typedef {import('./callback-rules.js').FormValues & { requestId: string | null, languageChosen: boolean }} Carried
 */

/**
 * @typedef {object} Choice
 * @property {string} value
 * @property {string} label
 * @property {string} [icon]
 * @property {string} [lang]
 */

/**
 * Every field of the form, built and registered for error display.
 * @param {object} options
 * @param {any} options.config callback_config's answer
 * @param {{ slug: string, name: string } | null} options.fixed the specialty that comes with the address, if any
 * @param {{ slug: string, name: string }[]} options.specialties
 * @param {{ name: number, note: number }} options.limits
 * @param {() => void} options.onLanguageChosen the patient picked the call's language
 */
export function buildFields({ config, fixed, specialties, limits, onLanguageChosen }) {
  /** @type {Record<string, FieldEntry>} */
  const entries = {};
  const inputs = controls(limits);
  pasteLinesAsSpaces(inputs.name, limits.name);

  const name = textField(entries, 'name', inputs.name, { label: t('callback.nameLabel'), hint: t('callback.nameHint') });
  const phone = textField(entries, 'phone', inputs.phone, {
    label: t('callback.phoneLabel'),
    hint: config.phoneExample ? t('callback.phoneHint', { example: config.phoneExample }) : null,
  });
  const counter = h('p', { class: 'field__counter', id: 'cb-note-counter', 'aria-hidden': 'true' });
  const counterLive = h('p', { class: 'sr-only', 'aria-live': 'polite' });
  const note = textField(entries, 'note', inputs.note, {
    label: t('callback.noteLabel'),
    hint: t('callback.noteHint'),
    hintIcon: 'info',
    after: [counter, counterLive],
    describedBy: [counter.id],
  });
  const groups = {
    specialty: fixed
      ? null
      : choiceGroup(entries, 'specialty', {
          id: 'cb-specialty',
          name: 'specialty',
          legend: t('callback.chooseSpecialty'),
          options: specialties.map((s) => ({ value: s.slug, label: s.name })),
          columns: 'wide',
        }),
    bestTime: choiceGroup(entries, 'bestTime', {
      id: 'cb-bestTime',
      name: 'bestTime',
      legend: t('callback.bestTimeLabel'),
      options: (config.slots ?? []).map((/** @type {{ id: string, label: string }} */ slot) => ({ value: slot.id, label: slot.label, icon: 'clock' })),
    }),
    language: choiceGroup(entries, 'language', {
      id: 'cb-language',
      name: 'cbLanguage',
      legend: t('callback.languageLabel'),
      options: LANGUAGES.map((l) => ({ value: l.code, label: l.name, lang: l.code })),
      onChange: onLanguageChosen,
    }),
  };
  const consent = consentField(entries, inputs.consent, config.consent?.text ?? '');

  /** @returns {import('./callback-rules.js').FormValues} */
  const values = () => ({
    name: inputs.name.value,
    phone: inputs.phone.value,
    note: inputs.note.value,
    consent: inputs.consent.checked,
    specialty: fixed ? fixed.slug : (groups.specialty?.value() ?? ''),
    bestTime: groups.bestTime.value(),
    language: groups.language.value(),
  });

  /**
   * What was typed before a redraw, or the screen's language for the call.
   * @param {Carried | null} carried
   * @param {string} lang
   */
  function fill(carried, lang) {
    if (!carried) {
      groups.language.set(lang);
      return;
    }
    inputs.name.value = carried.name;
    inputs.phone.value = carried.phone;
    inputs.note.value = carried.note;
    inputs.consent.checked = carried.consent;
    groups.specialty?.set(carried.specialty);
    groups.bestTime.set(carried.bestTime);
    groups.language.set(carried.languageChosen ? carried.language : lang);
  }

  /** Empties every field, on screen and in memory. */
  function clear() {
    for (const control of [inputs.name, inputs.phone, inputs.note]) {
      control.value = '';
      control.defaultValue = '';
    }
    inputs.consent.checked = false;
    groups.specialty?.set(null);
    groups.bestTime.set(null);
    counterLive.textContent = '';
  }

  return { entries, inputs, groups, nodes: { name, phone, note, consent }, counter, counterLive, values, fill, clear };
}

/** @param {{ name: number, note: number }} limits */
function controls(limits) {
  return {
    name: h('input', {
      id: 'cb-name',
      class: 'field__input',
      type: 'text',
      name: 'name',
      autocomplete: 'off',
      autocapitalize: 'words',
      spellcheck: 'false',
      maxlength: String(limits.name),
      'aria-required': 'true',
    }),
    phone: h('input', {
      id: 'cb-phone',
      class: 'field__input field__input--phone',
      type: 'tel',
      name: 'phone',
      autocomplete: 'off',
      spellcheck: 'false',
      maxlength: String(PHONE_INPUT_MAX),
      'aria-required': 'true',
    }),
    note: h('textarea', {
      id: 'cb-note',
      class: 'field__input field__textarea',
      name: 'note',
      rows: '3',
      autocomplete: 'off',
      spellcheck: 'false',
      maxlength: String(limits.note),
    }),
    consent: h('input', { id: 'cb-consent', class: 'check__input', type: 'checkbox', name: 'consent', 'aria-required': 'true' }),
  };
}

/**
 * A text input drops line breaks from pasted text, which glues "Ana" and "Ruiz" into
 * "AnaRuiz": paste them as spaces instead.
 * @param {HTMLInputElement} input
 * @param {number} max
 */
function pasteLinesAsSpaces(input, max) {
  input.addEventListener('paste', (event) => {
    const text = event.clipboardData?.getData('text/plain');
    if (!text || !/[\r\n]/.test(text)) return;
    event.preventDefault();
    const clean = text.replace(/[\r\n]+/g, ' ');
    const { selectionStart: start, selectionEnd: end, value } = input;
    input.value = (value.slice(0, start ?? value.length) + clean + value.slice(end ?? value.length)).slice(0, max);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/**
 * @param {string} field
 * @returns {ErrorSlot}
 */
function errorSlot(field) {
  const id = `cb-${field}-error`;
  const text = h('span', {});
  const node = h(
    'p',
    { class: 'field-error', id, dataset: { test: 'field-error', field }, hidden: true },
    icon('alert'),
    h('span', { class: 'sr-only' }, t('callback.errorPrefix')),
    ' ',
    text,
  );
  return {
    id,
    node,
    set(message) {
      text.textContent = message ?? '';
      node.hidden = !message;
    },
  };
}

/**
 * @param {Record<string, FieldEntry>} entries
 * @param {string} field
 * @param {HTMLInputElement | HTMLTextAreaElement} input
 * @param {{ label: string, hint?: string | null, hintIcon?: string | null, after?: HTMLElement[], describedBy?: string[] }} options
 */
function textField(entries, field, input, { label, hint = null, hintIcon = null, after = [], describedBy = [] }) {
  const hintId = hint ? `${input.id}-hint` : null;
  const error = errorSlot(field);
  const row = h('div', { class: 'field__row' }, input);
  const node = h(
    'div',
    { class: `field field--${field}` },
    h('label', { class: 'field__label', for: input.id }, label),
    hint ? h('p', { class: 'field__hint', id: hintId }, hintIcon ? icon(hintIcon) : null, hint) : null,
    error.node,
    row,
    after,
  );
  const ids = /** @type {string[]} */ ([hintId, ...describedBy].filter(Boolean));
  if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
  entries[field] = { control: input, focus: input, error, describedBy: ids, wrapper: node };
  return { node, row };
}

/**
 * @param {Record<string, FieldEntry>} entries
 * @param {string} field
 * @param {{ id: string, name: string, legend: string, options: Choice[], columns?: string | null, onChange?: (() => void) | null }} options
 * @returns {ChoiceGroup}
 */
function choiceGroup(entries, field, { id, name, legend, options, columns = null, onChange = null }) {
  const error = errorSlot(field);
  const inputs = options.map((option, index) =>
    h('input', { type: 'radio', class: 'choice__input', name, value: option.value, id: `${id}-${index}`, onchange: onChange }),
  );
  const node = h(
    'fieldset',
    {
      class: 'field choices',
      id,
      role: 'radiogroup',
      // Named by its legend (also when the legend is floated for layout).
      'aria-labelledby': `${id}-legend`,
      'aria-required': 'true',
    },
    h('legend', { class: 'field__label choices__legend', id: `${id}-legend` }, legend),
    error.node,
    h(
      'div',
      { class: ['choices__list', columns && `choices__list--${columns}`] },
      options.map((option, index) =>
        h(
          'label',
          { class: 'choice', for: inputs[index].id, lang: option.lang ?? null },
          inputs[index],
          option.icon ? icon(option.icon, 'choice__icon') : null,
          h('span', { class: 'choice__text' }, option.label),
        ),
      ),
    ),
  );
  entries[field] = { control: node, focus: inputs[0] ?? node, error, describedBy: [], group: true };
  return {
    field,
    node,
    value: () => inputs.find((input) => input.checked)?.value ?? '',
    set(value) {
      for (const input of inputs) input.checked = value != null && input.value === value;
    },
    focus() {
      (inputs.find((input) => input.checked) ?? inputs[0])?.focus({ preventScroll: true });
    },
  };
}

/**
 * @param {Record<string, FieldEntry>} entries
 * @param {HTMLInputElement} input
 * @param {string} text the consent text of callback_config
 */
function consentField(entries, input, text) {
  const error = errorSlot('consent');
  entries.consent = { control: input, focus: input, error, describedBy: [] };
  return h(
    'div',
    { class: 'field field--consent', id: 'cb-consent-field' },
    error.node,
    h(
      'label',
      { class: 'check', for: 'cb-consent' },
      input,
      h('span', { class: 'check__box', 'aria-hidden': 'true' }, icon('check', 'check__mark')),
      h('span', { class: 'check__text', id: 'cb-consent-text' }, text),
    ),
  );
}
