// @ts-check
// The callback form: a patient leaves a name and phone number and a specialist calls back.
// Opened from an article (the specialty, topic and article come with it) or from home (the
// patient picks who should call). Rust is the authority on every rule; the same simple rules
// are mirrored for instant feedback. Every text field has the on-screen keyboard.
//
// This module puts the screen together; its parts: callback-fields.js (the fields),
// callback-rules.js (the rules), callback-errors.js (problems on screen), callback-submit.js
// (sending).
//
// Privacy: nothing typed here is logged, put in the address or kept after the screen goes.
// Once Rust has stored the request, or when the patient leaves, every field is emptied and
// the form's state dropped, before the thank-you screen (which shows no personal data).

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, getLang } from '../i18n.js';
import * as api from '../api.js';
import { navigate, hrefThanks } from '../router.js';
import { attach as attachKeyboard } from '../components/keyboard.js';
import { check } from './callback-rules.js';
import { buildFields } from './callback-fields.js';
import { errorDisplay } from './callback-errors.js';
import { sender } from './callback-submit.js';
import { listenControl } from '../speech.js';

/**
 * The mounted form, so that the same screen redrawn in another language keeps what was typed
 * (and its request id). Set once the form is on screen, cleared when it goes.
 * @type {{ hash: string, wipe: () => void, carry: () => import('./callback-fields.js').Carried } | null}
 */
let mounted = null;

/** @param {{ params: { specialty: string | null, topic: string | null, article: string | null } }} route */
export async function render({ params }) {
  const lang = getLang();
  const redraw = mounted !== null && mounted.hash === location.hash;
  const [config, freshId] = await Promise.all([api.callbackConfig(lang), redraw ? null : api.newRequestId()]);
  // Taken after the wait, so nothing typed meanwhile is lost.
  const carried = redraw && mounted?.hash === location.hash ? mounted.carry() : null;

  /** @type {{ slug: string, name: string }[]} */
  const specialties = config.specialties ?? [];
  const fixed = specialties.find((s) => s.slug === params.specialty) ?? null;
  const state = {
    /** @type {string | null} */
    requestId: carried?.requestId ?? freshId ?? (await api.newRequestId()),
    alive: true,
    /** Whether the patient chose the call's language (otherwise it follows the screen's). */
    languageChosen: carried?.languageChosen ?? false,
  };
  const limits = { name: config.nameMaxChars ?? 80, note: config.noteMaxChars ?? 280 };
  /** What the form's own rules check against. */
  const rules = {
    nameMax: limits.name,
    noteMax: limits.note,
    phoneRegion: config.phoneRegion ?? 'US',
    slots: (config.slots ?? []).map((/** @type {{ id: string }} */ slot) => slot.id),
    specialties: fixed ? [fixed.slug] : specialties.map((s) => s.slug),
  };

  const form = buildFields({ config, fixed, specialties, limits, onLanguageChosen: () => (state.languageChosen = true) });
  const { focusField, focusGroup } = focusing(form);
  const errors = errorDisplay(form.entries, focusField);
  const counter = noteCounter(form.inputs.note, form.counter, form.counterLive, limits.note);
  form.fill(carried, lang);
  counter.update({ announce: false });
  attachKeyboards(form, focusGroup);
  recheckWhenFixed(form, errors, (field) => check(field, form.values(), rules));

  const send = sender({
    config,
    rules,
    values: form.values,
    requestId: () => state.requestId,
    params,
    errors,
    isAlive: () => state.alive,
    onStored: (outcome) => {
      // Stored: nothing of the form stays, then the thank-you screen.
      wipe();
      navigate(hrefThanks(outcome), { replace: true });
    },
  });

  /** Empties every field and drops the form's state, on screen and in memory. */
  function wipe() {
    state.alive = false;
    state.requestId = null;
    errors.forget();
    counter.stop();
    form.clear();
    if (mounted?.wipe === wipe) mounted = null;
  }

  return {
    screen: 'callback',
    title: t('callback.title'),
    node: screenNode(form, errors.summary, send, fixed),
    afterMount: () => {
      mounted = {
        hash: location.hash,
        wipe,
        carry: () => ({ ...form.values(), requestId: state.requestId, languageChosen: state.languageChosen }),
      };
    },
    onLeave: () => wipe(),
  };
}

/**
 * Moving focus to a field (from the error summary, or Next on the keyboard), scrolled into view.
 * @param {ReturnType<typeof buildFields>} form
 */
function focusing(form) {
  /** @param {string} field */
  function focusGroup(field) {
    const group = /** @type {Record<string, import('./callback-fields.js').ChoiceGroup | null>} */ (form.groups)[field];
    if (!group) return;
    group.node.scrollIntoView({ block: 'center' });
    group.focus();
  }
  /** @param {string} field */
  function focusField(field) {
    const entry = form.entries[field];
    if (!entry) return;
    if (entry.group) {
      focusGroup(field);
      return;
    }
    entry.focus.focus({ preventScroll: true });
    (entry.wrapper ?? entry.focus).scrollIntoView({ block: 'center' });
  }
  return { focusField, focusGroup };
}

/**
 * The characters left in the note, on screen at once and said once the patient pauses.
 * @param {HTMLTextAreaElement} input
 * @param {HTMLElement} counter
 * @param {HTMLElement} live
 * @param {number} max
 */
function noteCounter(input, counter, live, max) {
  let timer = 0;
  /** @param {{ announce: boolean }} options */
  function update({ announce }) {
    // As the field's maxlength counts (the stricter count: Rust counts characters).
    const left = max - input.value.length;
    const text = t('callback.noteCounter', { count: Math.max(left, 0) });
    counter.textContent = text;
    counter.classList.toggle('is-low', left <= 20);
    clearTimeout(timer);
    // Said once the patient pauses, not on every key.
    if (announce) timer = setTimeout(() => (live.textContent = text), 900);
  }
  input.addEventListener('input', () => update({ announce: true }));
  return { update, stop: () => clearTimeout(timer) };
}

/**
 * The on-screen keyboard for each text field; Next (on screen or a physical Enter) moves on.
 * @param {ReturnType<typeof buildFields>} form
 * @param {(field: string) => void} focusGroup
 */
function attachKeyboards(form, focusGroup) {
  const { name, phone, note } = form.inputs;
  const nameKeyboard = attachKeyboard(name, {
    layout: 'text',
    enterLabel: t('callback.next'),
    enterIcon: 'arrowRight',
    reveal: form.nodes.name.node,
    onEnter: () => phoneKeyboard.open(),
  });
  const phoneKeyboard = attachKeyboard(phone, {
    layout: 'phone',
    enterLabel: t('callback.next'),
    enterIcon: 'arrowRight',
    reveal: form.nodes.phone.node,
    onEnter: () => focusGroup('bestTime'),
  });
  const noteKeyboard = attachKeyboard(note, { layout: 'text', room: 2.5 });
  form.nodes.name.row.append(nameKeyboard.toggle);
  form.nodes.phone.row.append(phoneKeyboard.toggle);
  form.nodes.note.row.append(noteKeyboard.toggle);

  // A physical Enter in a one-line field moves on, as the on-screen Next key does.
  name.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault();
      phone.focus();
    }
  });
  phone.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault();
      focusGroup('bestTime');
    }
  });
}

/**
 * A problem already shown goes as soon as it is fixed, and is not swapped for another
 * mid-typing. The summary at the top stays as it is until the next Send: taking it away would
 * move everything below it up, under the patient's finger.
 * @param {ReturnType<typeof buildFields>} form
 * @param {ReturnType<typeof errorDisplay>} errors
 * @param {(field: string) => string | null} problem the field's problem now, if any
 */
function recheckWhenFixed(form, errors, problem) {
  /** @param {string} field */
  const recheck = (field) => {
    if (errors.has(field) && !problem(field)) errors.set(field, null);
  };
  for (const [field, control] of /** @type {const} */ ([
    ['name', form.inputs.name],
    ['phone', form.inputs.phone],
    ['note', form.inputs.note],
  ])) {
    control.addEventListener('input', () => recheck(field));
  }
  form.inputs.consent.addEventListener('change', () => recheck('consent'));
  for (const group of [form.groups.specialty, form.groups.bestTime, form.groups.language]) {
    group?.node.addEventListener('change', () => recheck(group.field));
  }
}

/**
 * @param {ReturnType<typeof buildFields>} form
 * @param {HTMLElement} summary
 * @param {import('./callback-submit.js').Sender} send
 * @param {{ slug: string, name: string } | null} fixed
 */
function screenNode(form, summary, send, fixed) {
  const formElement = h(
    'form',
    {
      class: 'callback-form',
      novalidate: true,
      'aria-labelledby': 'page-title',
      onsubmit: (/** @type {Event} */ event) => {
        event.preventDefault();
        send.submit();
      },
    },
    summary,
    form.groups.specialty?.node,
    h('div', { class: 'form-row' }, form.nodes.name.node, form.nodes.phone.node),
    form.groups.bestTime.node,
    form.groups.language.node,
    form.nodes.note.node,
    form.nodes.consent,
    send.notice,
    h('div', { class: 'form-actions' }, send.button, h('p', { class: 'form-actions__note' }, icon('lock'), t('callback.privacy'))),
  );
  const title = h('h1', { class: 'page-head__title', id: 'page-title', tabindex: '-1' }, t('callback.title'));
  const lead = h('p', { class: 'page-head__lead' }, t('callback.lead'));
  // The instructions read aloud: the heading, the lead, each field's label and hint, the
  // consent. Never a field's value.
  const listen = listenControl({
    label: t('speech.listenForm'),
    sources: () => [title, lead, ...formElement.querySelectorAll('.field__label, .field__hint, .check__text')].map((el) => /** @type {HTMLElement} */ (el)),
  });
  return h(
    'div',
    { class: 'callback' },
    h(
      'div',
      { class: 'page-head' },
      h('span', { class: 'page-head__icon' }, icon('phone')),
      h('div', { class: 'page-head__text' }, title, lead, listen),
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
}
