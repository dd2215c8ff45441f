// @ts-check
// The staff view's "Staff accounts" tab, for admins only: who may sign in (name, role,
// locked after too many wrong PINs), add an account, lift a lock, remove an account (not
// your own). Rust checks the role and the PIN rules on every command; the checks here only
// say what is wrong in the screen's language first.

import { h, append } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { attach as attachKeyboard, closeKeyboard } from '../components/keyboard.js';
import { pinInput, pinProblem } from '../components/pin.js';
import { initials } from './staff-pin.js';

const ROLES = ['frontDesk', 'admin'];
const NAME_MAX = 40;

/**
 * Text for a refused or failed command: a front-desk session, Rust's reason, or a retry.
 * @param {unknown} error what the command threw
 * @param {string} fallbackKey the text when it is not a front-desk session's refusal
 */
export function failure(error, fallbackKey) {
  return /** @type {{ kind?: string } | undefined} */ (error)?.kind === 'forbidden' ? t('staff.forbidden') : t(fallbackKey);
}

/**
 * A staff account as staff_accounts lists it (docs/ipc.md).
 * @typedef {{ name: string, role: string, [key: string]: any }} Account
 */

/**
 * @param {import('./staff-inbox.js').PanelDeps & { self: () => string | null, pinMin: number }} deps self():
 *   the signed-in name, pinMin: the fewest digits a PIN has.
 * @returns {{ node: HTMLElement, load(): Promise<void> }}
 */
// eslint-disable-next-line max-lines-per-function -- A staff panel's factory: the list, the unlock and remove buttons and the form share the panel's state. Not split yet (issue #12).
export function accountsPanel({ token, guard, isAlive, when, self, pinMin }) {
  const body = h('div', { class: 'accounts', dataset: { test: 'accounts' } });
  const status = h('p', { class: 'inbox-status', role: 'status', dataset: { test: 'accounts-status' } });
  const listSlot = h('div', { class: 'accounts__list-slot' });
  let built = false;

  const announce = (/** @type {string} */ text) => {
    status.textContent = '';
    setTimeout(() => {
      if (isAlive()) status.textContent = text;
    }, 60);
  };

  // ---------- the list ----------

  /** @param {Account[]} accounts */
  function drawList(accounts) {
    if (!Array.isArray(accounts) || !accounts.length) {
      listSlot.replaceChildren(h('p', { class: 'empty-note' }, t('accounts.none')));
      return;
    }
    listSlot.replaceChildren(
      h(
        'ul',
        { class: 'accounts__list', role: 'list', 'aria-labelledby': 'accounts-list-title' },
        accounts.map((account, index) => row(account, index)),
      ),
    );
  }

  /**
   * @param {Account} account
   * @param {number} index
   */
  function row(account, index) {
    const role = ROLES.includes(account.role) ? account.role : 'frontDesk';
    const isSelf = account.name === self();
    const confirmSlot = h('div', { class: 'account__confirm' });
    const headingId = `account-${index}`;
    const actions = h('div', { class: 'account__actions' });
    if (account.locked) {
      actions.append(
        h(
          'button',
          {
            type: 'button',
            class: 'button button--primary button--small',
            dataset: { test: 'account-unlock' },
            'aria-describedby': headingId,
            onclick: (/** @type {MouseEvent} */ event) => unlock(account, /** @type {HTMLButtonElement} */ (event.currentTarget)),
          },
          icon('lock'),
          t('accounts.unlock'),
        ),
      );
    }
    if (!isSelf) {
      const removeButton = h(
        'button',
        {
          type: 'button',
          class: 'button button--secondary button--small',
          dataset: { test: 'account-remove' },
          'aria-describedby': headingId,
          'aria-expanded': 'false',
          onclick: () => toggleConfirm(account, confirmSlot, removeButton),
        },
        icon('close'),
        t('accounts.remove'),
      );
      actions.append(removeButton);
    }
    return h(
      'li',
      { class: ['account', account.locked && 'account--locked'], dataset: { test: 'account', name: account.name, role, locked: String(Boolean(account.locked)) } },
      h('span', { class: 'staff-name__avatar', 'aria-hidden': 'true' }, initials(account.name)),
      h(
        'div',
        { class: 'account__text' },
        h('p', { class: 'account__name', id: headingId }, account.name, isSelf ? h('span', { class: 'account__you' }, ` ${t('accounts.you')}`) : null),
        h(
          'p',
          { class: 'account__meta' },
          h('span', { class: ['badge', role === 'admin' ? 'badge--contacted' : 'badge--closed'], dataset: { test: 'account-role' } }, t(`accounts.roles.${role}`)),
          account.locked ? h('span', { class: 'badge badge--noAnswer', dataset: { test: 'account-locked' } }, icon('lock'), t('accounts.locked')) : null,
          account.createdAt ? h('span', { class: 'account__since' }, t('accounts.since', { time: when(account.createdAt) })) : null,
        ),
      ),
      actions,
      confirmSlot,
    );
  }

  /**
   * @param {Account} account
   * @param {HTMLElement} slot
   * @param {HTMLElement} opener
   */
  function toggleConfirm(account, slot, opener) {
    if (slot.firstChild) {
      slot.replaceChildren();
      opener.setAttribute('aria-expanded', 'false');
      return;
    }
    opener.setAttribute('aria-expanded', 'true');
    const yes = h(
      'button',
      { type: 'button', class: 'button button--primary button--small', dataset: { test: 'account-remove-confirm' }, onclick: (/** @type {MouseEvent} */ event) => remove(account, /** @type {HTMLButtonElement} */ (event.currentTarget)) },
      t('accounts.removeYes'),
    );
    slot.replaceChildren(
      h(
        'div',
        { class: 'account__confirm-box', role: 'group', 'aria-label': t('accounts.remove') },
        h('p', {}, t('accounts.removeConfirm', { name: account.name })),
        h(
          'div',
          { class: 'account__actions' },
          yes,
          h(
            'button',
            {
              type: 'button',
              class: 'button button--secondary button--small',
              dataset: { test: 'account-remove-cancel' },
              onclick: () => {
                slot.replaceChildren();
                opener.setAttribute('aria-expanded', 'false');
                opener.focus();
              },
            },
            t('accounts.cancel'),
          ),
        ),
      ),
    );
    yes.focus();
  }

  /**
   * @param {Account} account
   * @param {HTMLButtonElement} button
   */
  async function unlock(account, button) {
    button.disabled = true;
    try {
      const accounts = await guard(() => api.staffAccountUnlock(token(), account.name));
      if (!accounts || !isAlive()) return;
      drawList(accounts);
      announce(t('accounts.unlocked', { name: account.name }));
    } catch (error) {
      if (isAlive()) announce(failure(error, 'accounts.failed'));
    } finally {
      button.disabled = false;
    }
  }

  /**
   * @param {Account} account
   * @param {HTMLButtonElement} button
   */
  async function remove(account, button) {
    button.disabled = true;
    try {
      const accounts = await guard(() => api.staffAccountRemove(token(), account.name));
      if (!accounts || !isAlive()) return;
      drawList(accounts);
      announce(t('accounts.removed', { name: account.name }));
      document.getElementById('accounts-list-title')?.focus();
    } catch (error) {
      if (isAlive()) announce(failure(error, 'accounts.failed'));
    } finally {
      button.disabled = false;
    }
  }

  // ---------- adding an account ----------

  // eslint-disable-next-line max-lines-per-function -- The add-account form, its three fields and their messages in one place. Not split yet (issue #12).
  function addForm() {
    const inputs = {
      name: h('input', { id: 'account-name', class: 'field__input', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: String(NAME_MAX), 'aria-required': 'true' }),
      pin: pinInput('account-pin'),
      pin2: pinInput('account-pin2'),
    };
    /** @typedef {'name' | 'pin' | 'pin2'} Field */
    const labels = { name: t('accounts.name'), pin: t('accounts.pin'), pin2: t('accounts.pin2') };
    /** @type {Record<string, (message: string | null) => void>} */
    const errors = {};
    /** @type {Record<string, HTMLElement>} */
    const nodes = {};
    /** @type {Record<string, ReturnType<typeof attachKeyboard>>} */
    const keyboards = {};
    for (const [field, input] of /** @type {[Field, HTMLInputElement][]} */ (Object.entries(inputs))) {
      const errorId = `${input.id}-error`;
      // One hint for both PIN fields, above them.
      const hintId = field === 'name' ? null : 'account-pin-hint';
      const text = h('span', {});
      const error = h(
        'p',
        { class: 'field-error', id: errorId, dataset: { test: 'field-error', field }, hidden: true },
        icon('alert'),
        h('span', { class: 'sr-only' }, t('callback.errorPrefix')),
        ' ',
        text,
      );
      if (hintId) input.setAttribute('aria-describedby', hintId);
      errors[field] = (/** @type {string | null} */ message) => {
        text.textContent = message ?? '';
        error.hidden = !message;
        if (message) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
        const ids = [hintId, message ? errorId : null].filter(Boolean);
        if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
        else input.removeAttribute('aria-describedby');
      };
      const keyboard = attachKeyboard(input, {
        layout: field === 'name' ? 'text' : 'phone',
        enterLabel: field === 'pin2' ? t('accounts.add') : t('callback.next'),
        enterIcon: field === 'pin2' ? undefined : 'arrowRight',
        onEnter: () => next(field, { keys: true }),
      });
      keyboards[field] = keyboard;
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          next(field);
        }
      });
      nodes[field] = h(
        'div',
        { class: 'field' },
        h('label', { class: 'field__label', for: input.id }, labels[field]),
        error,
        h('div', { class: 'field__row' }, input, keyboard.toggle),
      );
    }

    const roleInputs = ROLES.map((role) =>
      h('input', { type: 'radio', class: 'choice__input', name: 'account-role', value: role, id: `account-role-${role}`, checked: role === 'frontDesk' }),
    );
    const roleGroup = h(
      'fieldset',
      { class: 'field choices', role: 'radiogroup', 'aria-labelledby': 'account-role-legend' },
      h('legend', { class: 'field__label choices__legend', id: 'account-role-legend' }, t('accounts.role')),
      h(
        'div',
        { class: 'choices__list' },
        ROLES.map((role, index) =>
          h(
            'label',
            { class: 'choice', for: roleInputs[index].id, dataset: { test: 'account-role-choice', role } },
            roleInputs[index],
            h('span', { class: 'choice__text' }, h('strong', {}, t(`accounts.roles.${role}`)), h('span', { class: 'choice__help' }, t(`accounts.roleHelp.${role}`))),
          ),
        ),
      ),
    );

    /** Enter moves to the next field (with its keys, when the keys were used), then adds. */
    /**
     * @param {Field} field
     * @param {{ keys?: boolean }} [options]
     */
    function next(field, { keys = false } = {}) {
      const following = /** @type {Record<string, Field>} */ ({ name: 'pin', pin: 'pin2' })[field];
      if (!following) submit();
      else if (keys) keyboards[following].open();
      else inputs[following].focus();
    }

    const message = h('p', { class: 'form-alert', role: 'alert', hidden: true, dataset: { test: 'account-message' } });
    const add = h('button', { type: 'submit', class: 'button button--primary button--large', dataset: { test: 'account-add' } }, icon('user'), t('accounts.add'));
    let busy = false;

    function wipe() {
      for (const input of Object.values(inputs)) input.value = '';
      for (const input of roleInputs) input.checked = input.value === 'frontDesk';
      for (const set of Object.values(errors)) set(null);
    }

    async function submit() {
      if (busy) return;
      closeKeyboard();
      message.hidden = true;
      const name = inputs.name.value.trim().split(/\s+/).filter(Boolean).join(' ');
      const pin = inputs.pin.value;
      const pinCode = pinProblem(pin, pinMin);
      const problems = {
        name: !name ? 'nameRequired' : [...name].length > NAME_MAX || !/^[\p{L}\p{N} '.-]+$/u.test(name) ? 'nameInvalid' : null,
        pin: pinCode,
        pin2: !pinCode && inputs.pin2.value !== pin ? 'pinMismatch' : null,
      };
      /** @type {Field | null} */
      let first = null;
      for (const [field, code] of /** @type {[Field, string | null][]} */ (Object.entries(problems))) {
        errors[field](code ? t(`accounts.errors.${code}`, { count: pinMin }) : null);
        if (code && !first) first = field;
      }
      if (first) {
        inputs[first].focus();
        return;
      }
      const role = roleInputs.find((input) => input.checked)?.value ?? 'frontDesk';
      busy = true;
      add.disabled = true;
      try {
        const accounts = await guard(() => api.staffAccountAdd(token(), name, pin, role));
        if (!accounts || !isAlive()) return;
        wipe();
        drawList(accounts);
        announce(t('accounts.added', { name, role: t(`accounts.roles.${role}`) }));
      } catch (error) {
        if (!isAlive()) return;
        inputs.pin.value = '';
        inputs.pin2.value = '';
        // Rust's reason (a name taken, a PIN too easy to guess) is for staff: shown as it is.
        const refused = /** @type {Partial<api.ApiError> | undefined} */ (error);
        const detail = refused?.kind === 'invalidInput' ? (refused.detail ?? '').trim() : '';
        const why = detail ? `${detail[0].toLocaleUpperCase()}${detail.slice(1)}${/[.!?]$/.test(detail) ? '' : '.'}` : null;
        message.replaceChildren(
          icon('info'),
          h('span', {}, failure(error, refused?.kind === 'invalidInput' ? 'accounts.refused' : 'accounts.failed'), why ? ' ' : '', why ? h('span', { dataset: { test: 'account-reason' } }, why) : null),
        );
        message.hidden = false;
      } finally {
        busy = false;
        add.disabled = false;
      }
    }

    const node = h(
      'form',
      {
        class: 'staff-card accounts__form',
        novalidate: true,
        'aria-labelledby': 'accounts-add-title',
        dataset: { test: 'account-form' },
        onsubmit: (/** @type {Event} */ event) => {
          event.preventDefault();
          submit();
        },
      },
      h('h2', { class: 'health__section-title', id: 'accounts-add-title' }, t('accounts.addTitle')),
      nodes.name,
      roleGroup,
      h(
        'div',
        { class: 'field-group' },
        h('p', { class: 'field__hint field-group__hint', id: 'account-pin-hint' }, icon('info'), t('accounts.pinHint', { count: pinMin })),
        h('div', { class: 'form-row' }, nodes.pin, nodes.pin2),
      ),
      message,
      h('div', { class: 'form-actions' }, add),
    );
    return node;
  }

  // ---------- loading ----------

  async function load() {
    body.setAttribute('aria-busy', 'true');
    try {
      const accounts = await guard(() => api.staffAccounts(token()));
      if (!isAlive() || !accounts) return;
      if (!built) {
        built = true;
        append(body, [
          h('h2', { class: 'health__section-title', id: 'accounts-list-title', tabindex: '-1' }, t('accounts.listTitle')),
          listSlot,
          addForm(),
          status,
        ]);
      }
      drawList(Array.isArray(accounts) ? accounts : []);
    } catch (error) {
      if (isAlive()) (built ? listSlot : body).replaceChildren(h('p', { class: 'empty-note' }, failure(error, 'accounts.loadFailed')));
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  return { node: body, load };
}

