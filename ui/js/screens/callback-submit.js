// @ts-check
// Sending the callback form: the form's own rules first (callback-rules.js), then Rust, which
// stores the request or names every field to fix in the patient's language. A refusal for
// too many requests, a full disk (storageFull: nothing saved, ask at the front desk) or any
// other failure is said in an alert above the Send button.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, getLang, hasText } from '../i18n.js';
import * as api from '../api.js';
import { check } from './callback-rules.js';
import { ORDER } from './callback-errors.js';

/**
 * @typedef {object} Sender
 * @property {HTMLElement} notice the alert for a refusal or a failure
 * @property {HTMLButtonElement} button Send
 * @property {() => Promise<void>} submit
 */

/**
 * @param {object} options
 * @param {any} options.config callback_config's answer
 * @param {import('./callback-rules.js').RuleContext} options.rules
 * @param {() => import('./callback-rules.js').FormValues} options.values what the fields hold
 * @param {() => string | null} options.requestId null once the form is wiped
 * @param {{ topic: string | null, article: string | null }} options.params from the address
 * @param {ReturnType<typeof import('./callback-errors.js').errorDisplay>} options.errors
 * @param {() => boolean} options.isAlive false once the screen has gone
 * @param {(outcome: string) => void} options.onStored Rust stored the request
 * @returns {Sender}
 */
export function sender({ config, rules, values, requestId, params, errors, isAlive, onStored }) {
  const notice = h('div', { class: 'form-alert', role: 'alert', tabindex: '-1', dataset: { test: 'cb-alert' }, hidden: true });
  const label = h('span', {}, t('callback.send'));
  const button = h('button', { type: 'submit', class: 'button button--primary button--large', dataset: { test: 'cb-send' } }, icon('phone'), label);
  let busy = false;

  /**
   * @param {'rateLimited' | 'storageFull' | 'failed'} kind
   * @param {number | null} [retryAfterSecs]
   */
  function alert(kind, retryAfterSecs = null) {
    const text = kind === 'rateLimited' ? [t('callback.rateLimited'), waitText(retryAfterSecs)].filter(Boolean).join(' ') : t(failureKey(kind));
    notice.replaceChildren(h('span', { class: 'form-alert__icon' }, icon(kind === 'rateLimited' ? 'clock' : 'info')), h('p', {}, text));
    notice.dataset.kind = kind;
    notice.hidden = false;
    notice.scrollIntoView({ block: 'center' });
    notice.focus({ preventScroll: true });
  }

  /** @param {boolean} on */
  function setBusy(on) {
    busy = on;
    button.disabled = on;
    button.setAttribute('aria-busy', String(on));
    label.textContent = t(on ? 'callback.sending' : 'callback.send');
  }

  /** @param {import('./callback-rules.js').FormValues} form */
  async function send(form) {
    try {
      const receipt = await api.submitCallback({
        requestId: requestId(),
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
      if (!isAlive()) return;
      if (receipt?.outcome === 'received' || receipt?.outcome === 'alreadyReceived') onStored('received');
      else if (receipt?.outcome === 'rateLimited') alert('rateLimited', receipt.retryAfterSecs);
      else alert('failed');
    } catch (error) {
      if (!isAlive()) return;
      const failed = /** @type {Partial<api.ApiError> | undefined} */ (error);
      const fields = failed?.kind === 'invalidInput' ? (failed.fields ?? []) : [];
      // Rust's messages are written for patients, in the screen's language (sent above).
      if (fields.length) errors.showAll(fields.map(({ field, code, message }) => ({ field, message: message || rustMessage(field, code, config, rules) })));
      else alert(failed?.kind === 'storageFull' ? 'storageFull' : 'failed');
    }
  }

  async function submit() {
    if (busy || !isAlive()) return;
    notice.hidden = true;
    const form = values();
    const problems = ORDER.flatMap((field) => {
      const code = check(field, form, rules);
      return code ? [{ field, message: ownMessage(field, code, config, rules) }] : [];
    });
    if (problems.length) {
      errors.showAll(problems);
      return;
    }
    // All fine here: what an earlier Send said no longer applies.
    errors.clearAll();
    setBusy(true);
    try {
      await send(form);
    } finally {
      if (isAlive()) setBusy(false);
    }
  }

  return { notice, button, submit };
}

/**
 * The words for a Send that saved nothing, by the error's kind: a full disk (issue #16) will
 * not pass by trying again, so it sends the patient to the front desk without a "try again".
 * @param {string | undefined} kind the command error's kind
 * @returns {string} an i18n key
 */
export function failureKey(kind) {
  return kind === 'storageFull' ? 'callback.storageFull' : 'callback.failed';
}

/**
 * The page's words for a problem its own rules found.
 * @param {string} field
 * @param {string} code
 * @param {any} config
 * @param {import('./callback-rules.js').RuleContext} rules
 */
export function ownMessage(field, code, config, rules) {
  return t(`callback.errors.${field}.${code}`, {
    max: field === 'note' ? rules.noteMax : rules.nameMax,
    example: config.phoneExample ?? '',
  });
}

/**
 * Words for a problem Rust found, by its code, in the screen's language.
 * @param {string} field
 * @param {string} code
 * @param {any} config
 * @param {import('./callback-rules.js').RuleContext} rules
 */
function rustMessage(field, code, config, rules) {
  return ownMessage(field, hasText(`callback.errors.${field}.${code}`) ? code : 'invalid', config, rules);
}

/** @param {unknown} seconds */
function waitText(seconds) {
  const secs = Number(seconds);
  if (!Number.isFinite(secs) || secs <= 0) return '';
  if (secs < 60) return t('callback.waitSeconds', { count: Math.ceil(secs) });
  return t('callback.waitMinutes', { count: Math.ceil(secs / 60) });
}
