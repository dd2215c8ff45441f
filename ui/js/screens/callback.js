// The callback form: a patient leaves a name and phone number and a specialist calls back.
// Opened from an article (the specialty, topic and article come with it) or from home (the
// patient picks who should call). Rust is the authority on every rule; the same simple rules
// are mirrored here for instant feedback. Every text field has the on-screen keyboard.
//
// Privacy: nothing typed here is logged, put in the address or kept after the screen goes.
// Once Rust has stored the request, or when the patient leaves, every field is emptied and
// the form's state dropped, before the thank-you screen (which shows no personal data).

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, getLang, hasText } from '../i18n.js';
import * as api from '../api.js';
import { navigate, hrefThanks } from '../router.js';
import { attach as attachKeyboard } from '../components/keyboard.js';
import { check, PHONE_INPUT_MAX } from './callback-rules.js';

// Language names are written in their own language, as in the header.
const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
];
/** Fields in the order they appear, for the error summary. */
const ORDER = ['requestId', 'specialty', 'name', 'phone', 'bestTime', 'language', 'note', 'consent'];

/**
 * The mounted form, so that the same screen redrawn in another language keeps what was typed
 * (and its request id). Set once the form is on screen, cleared when it goes.
 */
let mounted = null;

export async function render({ params }) {
  const lang = getLang();
  const redraw = mounted !== null && mounted.hash === location.hash;
  const [config, freshId] = await Promise.all([api.callbackConfig(lang), redraw ? null : api.newRequestId()]);
  // Taken after the wait, so nothing typed meanwhile is lost.
  const carried = redraw && mounted?.hash === location.hash ? mounted.carry() : null;

  const specialties = config.specialties ?? [];
  const fixed = specialties.find((s) => s.slug === params.specialty) ?? null;
  const state = {
    requestId: carried?.requestId ?? freshId ?? (await api.newRequestId()),
    busy: false,
    alive: true,
    /** Whether the patient chose the call's language (otherwise it follows the screen's). */
    languageChosen: carried?.languageChosen ?? false,
    /** field -> message currently shown */
    errors: new Map(),
  };
  const limits = { name: config.nameMaxChars ?? 80, note: config.noteMaxChars ?? 280 };
  /** What the form's own rules check against (callback-rules.js). */
  const rules = {
    nameMax: limits.name,
    noteMax: limits.note,
    phoneRegion: config.phoneRegion ?? 'US',
    slots: (config.slots ?? []).map((slot) => slot.id),
    specialties: fixed ? [fixed.slug] : specialties.map((s) => s.slug),
  };

  // ---------- fields ----------

  const nameInput = h('input', {
    id: 'cb-name',
    class: 'field__input',
    type: 'text',
    name: 'name',
    autocomplete: 'off',
    autocapitalize: 'words',
    spellcheck: 'false',
    maxlength: String(limits.name),
    'aria-required': 'true',
  });
  // A text input drops line breaks from pasted text, which glues "Ana" and "Ruiz" into
  // "AnaRuiz": paste them as spaces instead.
  nameInput.addEventListener('paste', (event) => {
    const text = event.clipboardData?.getData('text/plain');
    if (!text || !/[\r\n]/.test(text)) return;
    event.preventDefault();
    const clean = text.replace(/[\r\n]+/g, ' ');
    const { selectionStart: start, selectionEnd: end, value } = nameInput;
    nameInput.value = (value.slice(0, start ?? value.length) + clean + value.slice(end ?? value.length)).slice(0, limits.name);
    nameInput.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const phoneInput = h('input', {
    id: 'cb-phone',
    class: 'field__input field__input--phone',
    type: 'tel',
    name: 'phone',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: String(PHONE_INPUT_MAX),
    'aria-required': 'true',
  });
  const noteInput = h('textarea', {
    id: 'cb-note',
    class: 'field__input field__textarea',
    name: 'note',
    rows: '3',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: String(limits.note),
  });
  const consentInput = h('input', {
    id: 'cb-consent',
    class: 'check__input',
    type: 'checkbox',
    name: 'consent',
    'aria-required': 'true',
  });

  const fields = {};

  const nameField = textField('name', nameInput, { label: t('callback.nameLabel'), hint: t('callback.nameHint') });
  const phoneField = textField('phone', phoneInput, {
    label: t('callback.phoneLabel'),
    hint: config.phoneExample ? t('callback.phoneHint', { example: config.phoneExample }) : null,
  });
  const counter = h('p', { class: 'field__counter', id: 'cb-note-counter', 'aria-hidden': 'true' });
  const counterLive = h('p', { class: 'sr-only', 'aria-live': 'polite' });
  const noteField = textField('note', noteInput, {
    label: t('callback.noteLabel'),
    hint: t('callback.noteHint'),
    hintIcon: 'info',
    after: [counter, counterLive],
    describedBy: [counter.id],
  });

  const specialtyGroup = fixed
    ? null
    : choiceGroup('specialty', {
        id: 'cb-specialty',
        name: 'specialty',
        legend: t('callback.chooseSpecialty'),
        options: specialties.map((s) => ({ value: s.slug, label: s.name })),
        columns: 'wide',
      });
  const timeGroup = choiceGroup('bestTime', {
    id: 'cb-bestTime',
    name: 'bestTime',
    legend: t('callback.bestTimeLabel'),
    options: (config.slots ?? []).map((slot) => ({ value: slot.id, label: slot.label, icon: 'clock' })),
  });
  const languageGroup = choiceGroup('language', {
    id: 'cb-language',
    name: 'cbLanguage',
    legend: t('callback.languageLabel'),
    options: LANGUAGES.map((l) => ({ value: l.code, label: l.name, lang: l.code })),
    onChange: () => {
      state.languageChosen = true;
    },
  });

  const consentError = errorSlot('consent');
  const consentField = h(
    'div',
    { class: 'field field--consent', id: 'cb-consent-field' },
    consentError.node,
    h(
      'label',
      { class: 'check', for: 'cb-consent' },
      consentInput,
      h('span', { class: 'check__box', 'aria-hidden': 'true' }, icon('check', 'check__mark')),
      h('span', { class: 'check__text', id: 'cb-consent-text' }, config.consent?.text ?? ''),
    ),
  );
  fields.consent = { control: consentInput, focus: consentInput, error: consentError, describedBy: [] };

  // ---------- keyboards ----------

  const nameKeyboard = attachKeyboard(nameInput, {
    layout: 'text',
    enterLabel: t('callback.next'),
    enterIcon: 'arrowRight',
    reveal: nameField.node,
    onEnter: () => phoneKeyboard.open(),
  });
  const phoneKeyboard = attachKeyboard(phoneInput, {
    layout: 'phone',
    enterLabel: t('callback.next'),
    enterIcon: 'arrowRight',
    reveal: phoneField.node,
    onEnter: () => focusGroup('bestTime'),
  });
  const noteKeyboard = attachKeyboard(noteInput, { layout: 'text', room: 2.5 });
  nameField.row.append(nameKeyboard.toggle);
  phoneField.row.append(phoneKeyboard.toggle);
  noteField.row.append(noteKeyboard.toggle);

  // A physical Enter in a one-line field moves on, as the on-screen Next key does.
  nameInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault();
      phoneInput.focus();
    }
  });
  phoneInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault();
      focusGroup('bestTime');
    }
  });

  // ---------- values ----------

  if (carried) {
    nameInput.value = carried.name;
    phoneInput.value = carried.phone;
    noteInput.value = carried.note;
    consentInput.checked = carried.consent;
    specialtyGroup?.set(carried.specialty);
    timeGroup.set(carried.bestTime);
    languageGroup.set(carried.languageChosen ? carried.language : lang);
  } else {
    languageGroup.set(lang);
  }

  function values() {
    return {
      name: nameInput.value,
      phone: phoneInput.value,
      note: noteInput.value,
      consent: consentInput.checked,
      specialty: fixed ? fixed.slug : specialtyGroup.value(),
      bestTime: timeGroup.value(),
      language: languageGroup.value(),
    };
  }

  // ---------- counter ----------

  let counterTimer = 0;
  function updateCounter({ announce }) {
    // As the field's maxlength counts (the stricter count: Rust counts characters).
    const left = limits.note - noteInput.value.length;
    const text = t('callback.noteCounter', { count: Math.max(left, 0) });
    counter.textContent = text;
    counter.classList.toggle('is-low', left <= 20);
    clearTimeout(counterTimer);
    // Said once the patient pauses, not on every key.
    if (announce) counterTimer = setTimeout(() => (counterLive.textContent = text), 900);
  }
  noteInput.addEventListener('input', () => updateCounter({ announce: true }));
  updateCounter({ announce: false });

  // ---------- feedback as the patient goes ----------

  // Problems are shown when Send is pressed, never as a field is left: a message appearing
  // then would move the Send button out from under the finger that is pressing it. A problem
  // already shown goes as soon as it is fixed (and is not swapped for another mid-typing).
  for (const [field, control] of [
    ['name', nameInput],
    ['phone', phoneInput],
    ['note', noteInput],
  ]) {
    control.addEventListener('input', () => {
      if (state.errors.has(field)) recheck(field);
    });
  }
  consentInput.addEventListener('change', () => {
    if (state.errors.has('consent')) recheck('consent');
  });
  for (const group of [specialtyGroup, timeGroup, languageGroup]) {
    group?.node.addEventListener('change', () => {
      if (state.errors.has(group.field)) recheck(group.field);
    });
  }

  // The summary at the top stays as it is until the next Send: taking it away would move
  // everything below it up, under the patient's finger.
  function recheck(field) {
    if (check(field, values(), rules)) return;
    setError(field, null);
  }

  // ---------- errors ----------

  const summaryList = h('ul', { class: 'error-summary__list' });
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
    summaryList,
  );

  function setError(field, message) {
    const entry = fields[field];
    if (!message) state.errors.delete(field);
    else state.errors.set(field, message);
    if (!entry) return;
    entry.error.set(message);
    const target = entry.control;
    if (message) target.setAttribute('aria-invalid', 'true');
    else target.removeAttribute('aria-invalid');
    const ids = [...entry.describedBy, ...(message ? [entry.error.id] : [])];
    if (ids.length) target.setAttribute('aria-describedby', ids.join(' '));
    else target.removeAttribute('aria-describedby');
  }

  function refreshSummary() {
    const items = ORDER.filter((field) => state.errors.has(field));
    if (!items.length) {
      summary.hidden = true;
      summaryList.replaceChildren();
      return;
    }
    summaryList.replaceChildren(
      ...items.map((field) => {
        const text = state.errors.get(field);
        const entry = fields[field];
        if (!entry) return h('li', {}, text);
        return h(
          'li',
          {},
          h(
            'a',
            {
              href: `#${entry.focus.id}`,
              class: 'error-summary__link',
              dataset: { test: 'summary-link', field },
              onclick: (event) => {
                // The address belongs to the router: focus the field without changing it.
                event.preventDefault();
                focusField(field);
              },
            },
            text,
          ),
        );
      }),
    );
  }

  function showErrors(list) {
    for (const field of ORDER) setError(field, null);
    for (const { field, message } of list) {
      if (!state.errors.has(field)) setError(field, message);
    }
    summary.hidden = false;
    refreshSummary();
    revealAtTop(summary);
    summary.focus({ preventScroll: true });
  }

  function focusField(field) {
    const entry = fields[field];
    if (!entry) return;
    if (entry.group) {
      focusGroup(field);
      return;
    }
    entry.focus.focus({ preventScroll: true });
    (entry.wrapper ?? entry.focus).scrollIntoView({ block: 'center' });
  }

  function focusGroup(field) {
    const group = { specialty: specialtyGroup, bestTime: timeGroup, language: languageGroup }[field];
    if (!group) return;
    group.node.scrollIntoView({ block: 'center' });
    group.focus();
  }

  // ---------- sending ----------

  const notice = h('div', { class: 'form-alert', role: 'alert', tabindex: '-1', dataset: { test: 'cb-alert' }, hidden: true });
  const sendLabel = h('span', {}, t('callback.send'));
  const sendButton = h(
    'button',
    { type: 'submit', class: 'button button--primary button--large', dataset: { test: 'cb-send' } },
    icon('phone'),
    sendLabel,
  );

  function showAlert(kind, vars = {}) {
    const text =
      kind === 'rateLimited'
        ? [t('callback.rateLimited'), waitText(vars.retryAfterSecs)].filter(Boolean).join(' ')
        : t('callback.failed');
    notice.replaceChildren(h('span', { class: 'form-alert__icon' }, icon(kind === 'rateLimited' ? 'clock' : 'info')), h('p', {}, text));
    notice.dataset.kind = kind;
    notice.hidden = false;
    notice.scrollIntoView({ block: 'center' });
    notice.focus({ preventScroll: true });
  }

  function setBusy(busy) {
    state.busy = busy;
    sendButton.disabled = busy;
    sendButton.setAttribute('aria-busy', String(busy));
    sendLabel.textContent = t(busy ? 'callback.sending' : 'callback.send');
  }

  async function submit() {
    if (state.busy || !state.alive) return;
    notice.hidden = true;
    const form = values();
    const problems = ORDER.map((field) => {
      const code = check(field, form, rules);
      return code ? { field, message: ownMessage(field, code, config, limits) } : null;
    }).filter(Boolean);
    if (problems.length) {
      showErrors(problems);
      return;
    }
    // All fine here: what an earlier Send said no longer applies.
    for (const field of ORDER) setError(field, null);
    summary.hidden = true;
    summaryList.replaceChildren();
    setBusy(true);
    try {
      const receipt = await api.submitCallback({
        requestId: state.requestId,
        name: form.name,
        phone: form.phone,
        bestTime: form.bestTime,
        language: form.language,
        note: form.note,
        consent: form.consent,
        consentVersion: config.consent?.version ?? '',
        specialty: form.specialty,
        topic: params.topic,
        article: params.article,
        // Rust writes its field messages in the language the patient is reading.
        screenLanguage: getLang(),
      });
      if (!state.alive) return;
      if (receipt?.outcome === 'received' || receipt?.outcome === 'alreadyReceived') {
        finish('received');
      } else if (receipt?.outcome === 'rateLimited') {
        showAlert('rateLimited', { retryAfterSecs: receipt.retryAfterSecs });
      } else {
        showAlert('failed');
      }
    } catch (error) {
      if (!state.alive) return;
      if (error?.kind === 'invalidInput' && error.fields?.length) {
        // Rust's messages are written for patients, in the screen's language (sent above).
        showErrors(
          error.fields.map(({ field, code, message }) => ({
            field,
            message: message || rustMessage(field, code, config, limits),
          })),
        );
      } else {
        showAlert('failed');
      }
    } finally {
      if (state.alive) setBusy(false);
    }
  }

  /** Stored: nothing of the form stays, then the thank-you screen. */
  function finish(outcome) {
    wipe();
    navigate(hrefThanks(outcome), { replace: true });
  }

  /** Empties every field and drops the form's state, on screen and in memory. */
  function wipe() {
    state.alive = false;
    state.requestId = null;
    state.errors.clear();
    clearTimeout(counterTimer);
    for (const control of [nameInput, phoneInput, noteInput]) {
      control.value = '';
      control.defaultValue = '';
    }
    consentInput.checked = false;
    specialtyGroup?.set(null);
    timeGroup.set(null);
    summaryList.replaceChildren();
    counterLive.textContent = '';
    if (mounted?.wipe === wipe) mounted = null;
  }

  // ---------- the screen ----------

  const formElement = h(
    'form',
    {
      class: 'callback-form',
      novalidate: true,
      'aria-labelledby': 'page-title',
      onsubmit: (event) => {
        event.preventDefault();
        submit();
      },
    },
    summary,
    specialtyGroup?.node,
    h('div', { class: 'form-row' }, nameField.node, phoneField.node),
    timeGroup.node,
    languageGroup.node,
    noteField.node,
    consentField,
    notice,
    h(
      'div',
      { class: 'form-actions' },
      sendButton,
      h('p', { class: 'form-actions__note' }, icon('lock'), t('callback.privacy')),
    ),
  );

  const node = h(
    'div',
    { class: 'callback' },
    h(
      'div',
      { class: 'page-head' },
      h('span', { class: 'page-head__icon' }, icon('phone')),
      h(
        'div',
        { class: 'page-head__text' },
        h('h1', { class: 'page-head__title', id: 'page-title', tabindex: '-1' }, t('callback.title')),
        h('p', { class: 'page-head__lead' }, t('callback.lead')),
      ),
    ),
    fixed
      ? h(
          'p',
          { class: 'called-by', dataset: { test: 'called-by', specialty: fixed.slug } },
          icon('user'),
          h('span', { class: 'called-by__label' }, t('callback.calledBy')),
          ' ',
          h('strong', { class: 'called-by__name' }, fixed.name),
        )
      : null,
    formElement,
  );

  return {
    screen: 'callback',
    title: t('callback.title'),
    node,
    afterMount: () => {
      mounted = {
        hash: location.hash,
        wipe,
        carry: () => ({ ...values(), requestId: state.requestId, languageChosen: state.languageChosen }),
      };
    },
    onLeave: () => wipe(),
  };

  // ---------- builders (hoisted; they fill `fields`) ----------

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

  function textField(field, input, { label, hint = null, hintIcon = null, after = [], describedBy = [] }) {
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
    const ids = [hintId, ...describedBy].filter(Boolean);
    if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
    fields[field] = { control: input, focus: input, error, describedBy: ids, wrapper: node };
    return { node, row };
  }

  function choiceGroup(field, { id, name, legend, options, columns = null, onChange = null }) {
    const error = errorSlot(field);
    const inputs = options.map((option, index) =>
      h('input', {
        type: 'radio',
        class: 'choice__input',
        name,
        value: option.value,
        id: `${id}-${index}`,
        onchange: onChange,
      }),
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
    const group = {
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
    fields[field] = { control: node, focus: inputs[0] ?? node, error, describedBy: [], group: true };
    return group;
  }
}

/** Scrolls so `element` starts just below the sticky header. */
function revealAtTop(element) {
  const header = document.getElementById('site-header');
  const below = header ? header.getBoundingClientRect().bottom : 0;
  window.scrollBy(0, element.getBoundingClientRect().top - below - 16);
}

function ownMessage(field, code, config, limits) {
  return t(`callback.errors.${field}.${code}`, {
    max: field === 'note' ? limits.note : limits.name,
    example: config.phoneExample ?? '',
  });
}

/** Words for a problem Rust found, by its code, in the screen's language. */
function rustMessage(field, code, config, limits) {
  return ownMessage(field, hasText(`callback.errors.${field}.${code}`) ? code : 'invalid', config, limits);
}

function waitText(seconds) {
  const secs = Number(seconds);
  if (!Number.isFinite(secs) || secs <= 0) return '';
  if (secs < 60) return t('callback.waitSeconds', { count: Math.ceil(secs) });
  return t('callback.waitMinutes', { count: Math.ceil(secs / 60) });
}
