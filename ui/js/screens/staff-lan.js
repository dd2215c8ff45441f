// @ts-check
// The staff view's "Front desk link" tab (issue #5). On the front-desk laptop: show a pairing
// code, see and unpair kiosks. On a kiosk: pair with the laptop (its address and the code it
// shows), see the pairing, unpair. Pairing and unpairing are for admins; front-desk accounts
// see how things are.

import { h, append } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { attach as attachKeyboard, closeKeyboard } from '../components/keyboard.js';
import { failure } from './staff-accounts.js';
import { kioskItem, sendPacks } from './staff-fleet.js';

/** How often the laptop's kiosk list is read again while it is on show, in ms (kiosks report every minute). */
const REFRESH_MS = 30_000;

/**
 * @param {import('./staff-inbox.js').PanelDeps & { isAdmin?: boolean }} deps isAdmin: may pair and unpair
 * @returns {{ node: HTMLElement, load(): Promise<void>, stop(): void }}
 */
// eslint-disable-next-line max-lines-per-function -- A staff panel's factory: the laptop's and the kiosk's sides share the panel's state. Not split yet (issue #12).
export function lanPanel({ token, guard, isAlive, when, isAdmin = false }) {
  const body = h('div', { class: 'lan', dataset: { test: 'lan' } });
  const status = h('p', { class: 'inbox-status', role: 'status', dataset: { test: 'lan-status' } });
  let codeTimer = 0;
  let refreshTimer = 0;
  /** Where the send form sends: '' for every kiosk, else a kiosk id; kept across redraws. */
  const sendTarget = { value: '' };

  const stopCode = () => clearInterval(codeTimer);
  const stop = () => {
    stopCode();
    clearInterval(refreshTimer);
  };

  // lan_status's answer is Rust's (docs/ipc.md): read as it comes.
  /** @param {any} lan lan_status's answer */
  function draw(lan) {
    stopCode();
    body.replaceChildren();
    append(body, [
      lan.role === 'laptop' ? laptop(lan.laptop) : kiosk(lan.paired),
      isAdmin ? null : h('p', { class: 'health__note', dataset: { test: 'lan-admin-note' } }, icon('info'), h('span', {}, t('lan.adminOnly'))),
      status,
    ]);
  }

  // ---------- the laptop ----------

  /** @param {any} view the laptop's side of lan_status */
  function laptop(view) {
    const codeBox = h('div', { class: 'lan__code', dataset: { test: 'lan-code-box' }, hidden: true });
    const show = h(
      'button',
      {
        type: 'button',
        class: 'button button--primary',
        dataset: { test: 'lan-show-code' },
        disabled: !view.listening,
        onclick: async () => {
          try {
            const code = await guard(() => api.lanShowCode(token()));
            if (!code || !isAlive()) return;
            showCode(codeBox, code, view);
          } catch (error) {
            if (isAlive()) status.textContent = failure(error, 'lan.failed');
          }
        },
      },
      icon('link'),
      t('lan.showCode'),
    );
    return h(
      'div',
      { class: 'health' },
      h('p', {}, view.listening ? t('lan.laptopLead') : t('lan.notListening')),
      h(
        'dl',
        { class: 'health__facts' },
        h('div', { class: 'health__fact' }, h('dt', {}, t('lan.addresses')), h('dd', { dataset: { test: 'lan-addresses' } }, view.addresses.join(', ') || '—')),
        h('div', { class: 'health__fact' }, h('dt', {}, t('lan.fingerprint')), h('dd', { class: 'lan__fp' }, view.fingerprint || '—')),
      ),
      isAdmin ? h('div', {}, show) : null,
      codeBox,
      h('h2', { class: 'health__section-title' }, t('lan.kiosksTitle')),
      kioskList(view.kiosks),
      isAdmin && view.kiosks.length ? sendPacks({ token, guard, isAlive, kiosks: view.kiosks, status, redraw: draw, target: sendTarget }) : null,
    );
  }

  /**
   * The paired kiosks, each with its health; read again every REFRESH_MS on its own, so
   * the rest of the tab (a code on show, the send form) keeps its state.
   * @param {any[]} kiosks lan_status's kiosks
   */
  function kioskList(kiosks) {
    if (!kiosks.length) return h('p', { class: 'empty-note' }, t('lan.noKiosks'));
    return h(
      'ul',
      { class: 'lan__kiosks', role: 'list', dataset: { test: 'fleet-list' } },
      kiosks.map((/** @type {any} */ k) =>
        kioskItem(
          k,
          when,
          !isAdmin ? null : h(
            'button',
            {
              type: 'button',
              class: 'button button--secondary button--small',
              dataset: { test: 'lan-unpair-kiosk' },
              'aria-label': t('lan.unpairNamed', { name: k.name }),
              onclick: async () => {
                try {
                  const next = await guard(() => api.lanUnpairKiosk(token(), k.kioskId));
                  if (!next || !isAlive()) return;
                  draw(next);
                  status.textContent = t('lan.unpairedKiosk', { name: k.name });
                } catch (error) {
                  if (isAlive()) status.textContent = failure(error, 'lan.failed');
                }
              },
            },
            icon('close'),
            t('lan.unpair'),
          ),
        ),
      ),
    );
  }

  /**
   * @param {HTMLElement} box
   * @param {any} code lan_show_code's answer
   * @param {any} view
   */
  function showCode(box, code, view) {
    stopCode();
    const left = h('span', {});
    const tick = () => {
      const secs = Math.max(0, Math.round((code.expiresAt - Date.now()) / 1000));
      left.textContent = t('lan.codeExpires', { minutes: Math.floor(secs / 60), seconds: String(secs % 60).padStart(2, '0') });
      if (secs === 0) {
        stopCode();
        box.hidden = true;
      }
    };
    // qrSvg is made offline in Rust from the code, address and fingerprint: trusted markup.
    const qr = h('div', { class: 'lan__qr', role: 'img', 'aria-label': t('lan.qrLabel') });
    qr.innerHTML = code.qrSvg ?? '';
    box.replaceChildren(
      qr,
      h('p', { class: 'lan__code-label' }, t('lan.codeLabel')),
      h('p', { class: 'lan__code-digits', dataset: { test: 'lan-code' }, 'aria-label': code.code.split('').join(' ') }, `${code.code.slice(0, 3)} ${code.code.slice(3)}`),
      h('p', {}, t('lan.codeWhere', { address: view.addresses[0] ?? '—' })),
      h('p', {}, t('lan.codeCheck', { fingerprint: code.fingerprint })),
      h('p', { class: 'lan__code-left' }, left),
    );
    box.hidden = false;
    tick();
    codeTimer = setInterval(() => {
      if (!isAlive()) stopCode();
      else tick();
    }, 1000);
  }

  // ---------- a kiosk ----------

  /** @param {any} paired the kiosk's pairing, if any */
  // eslint-disable-next-line max-lines-per-function -- The kiosk's side of pairing, the form and its states in one place. Not split yet (issue #12).
  function kiosk(paired) {
    if (!paired && !isAdmin) return h('p', { dataset: { test: 'lan-not-paired' } }, t('lan.notPaired'));
    if (paired) {
      return h(
        'div',
        { class: 'health' },
        h(
          'p',
          { class: 'health__ok', dataset: { test: 'lan-paired' } },
          icon('check'),
          ' ',
          t('lan.pairedWith', { address: paired.address, time: when(paired.pairedAt) }),
        ),
        h('p', {}, t('lan.fingerprintIs', { fingerprint: paired.fingerprint })),
        !isAdmin ? null : h(
          'button',
          {
            type: 'button',
            class: 'button button--secondary',
            dataset: { test: 'lan-unpair' },
            onclick: async () => {
              try {
                const next = await guard(() => api.lanUnpair(token()));
                if (!next || !isAlive()) return;
                draw(next);
                status.textContent = t('lan.unpaired');
              } catch (error) {
                if (isAlive()) status.textContent = failure(error, 'lan.failed');
              }
            },
          },
          icon('close'),
          t('lan.unpairKiosk'),
        ),
      );
    }
    const fields = [
      { id: 'lan-address', label: t('lan.address'), hint: t('lan.addressHint'), layout: 'text', value: '' },
      { id: 'lan-code', label: t('lan.code'), hint: null, layout: 'phone', value: '' },
      { id: 'lan-name', label: t('lan.name'), hint: t('lan.nameHint'), layout: 'text', value: t('lan.defaultName') },
    ].map((f) => {
      const input = h('input', {
        id: f.id,
        class: 'field__input',
        type: 'text',
        autocomplete: 'off',
        spellcheck: 'false',
        autocapitalize: 'off',
        inputmode: f.layout === 'phone' ? 'numeric' : null,
        maxlength: '80',
        value: f.value,
        'aria-describedby': f.hint ? `${f.id}-hint` : null,
      });
      input.value = f.value;
      const keyboard = attachKeyboard(input, { layout: f.layout });
      return {
        input,
        node: h(
          'div',
          { class: 'field' },
          h('label', { class: 'field__label', for: f.id }, f.label),
          f.hint ? h('p', { class: 'field__hint', id: `${f.id}-hint` }, f.hint) : null,
          h('div', { class: 'field__row' }, input, keyboard.toggle),
        ),
      };
    });
    const [address, code, name] = fields.map((f) => f.input);
    const pair = h(
      'button',
      {
        type: 'submit',
        class: 'button button--primary',
        dataset: { test: 'lan-pair' },
      },
      icon('link'),
      t('lan.pair'),
    );
    const form = h(
      'form',
      {
        class: 'lan__form',
        novalidate: true,
        onsubmit: async (/** @type {Event} */ event) => {
          event.preventDefault();
          closeKeyboard();
          pair.disabled = true;
          status.textContent = t('lan.pairing');
          try {
            const result = await guard(() => api.lanPair(token(), address.value, code.value, name.value));
            if (!result || !isAlive()) return;
            if (result.outcome === 'paired') {
              draw(result.status);
              status.textContent = t('lan.paired');
            } else {
              status.textContent = t(`lan.outcome.${result.outcome}`) || t('lan.failed');
              code.value = '';
            }
          } catch (error) {
            if (isAlive()) status.textContent = failure(error, 'lan.failed');
          } finally {
            pair.disabled = false;
          }
        },
      },
      h('p', {}, t('lan.kioskLead')),
      fields.map((f) => f.node),
      pair,
    );
    return form;
  }

  async function load() {
    body.setAttribute('aria-busy', 'true');
    try {
      const lan = await guard(() => api.lanStatus(token()));
      if (!isAlive() || !lan) return;
      draw(lan);
      if (lan.role === 'laptop' && !refreshTimer) refreshTimer = setInterval(refresh, REFRESH_MS);
    } catch {
      if (isAlive()) body.replaceChildren(h('p', { class: 'empty-note' }, t('lan.failed')));
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  /**
   * The kiosk list again (last seen, warnings), in place: the code on show and the send form
   * stay as they are. Skipped while staff are on a button of the list, whose focus would go.
   */
  async function refresh() {
    if (!isAlive()) {
      stop();
      return;
    }
    const list = body.querySelector('[data-test="fleet-list"]');
    if (list && list.contains(document.activeElement)) return;
    try {
      const lan = await guard(() => api.lanStatus(token()));
      if (!lan || !isAlive() || lan.role !== 'laptop') return;
      const current = body.querySelector('[data-test="fleet-list"]');
      const count = body.querySelectorAll('[data-test="lan-kiosk"]').length;
      if (current && count === lan.laptop.kiosks.length) current.replaceWith(kioskList(lan.laptop.kiosks));
      else if (!body.contains(document.activeElement) || document.activeElement === body) draw(lan);
    } catch {
      // The next tick tries again; what is on show stays.
    }
  }

  return {
    node: body,
    load,
    stop,
  };
}
