// @ts-check
// The front-desk laptop's kiosk list (issue #15): each paired kiosk with "last seen", its app
// and content versions, its delivery queue and disk, and a clear warning when it has gone
// quiet or holds an old request; and, for admins, sending an article update (a signed content
// pack found on the laptop) to every kiosk or to one. The lists come from Rust (lan_status,
// content_packs; docs/ipc.md) and are read as they come.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, getLang } from '../i18n.js';
import * as api from '../api.js';
import { bytes } from './staff-health.js';
import { failure } from './staff-accounts.js';

/** Pack states that a kiosk could take: signed by a key the laptop trusts. */
const SENDABLE = new Set(['ready', 'notNewer']);

/**
 * "3 minutes ago" in the screen's language.
 * @param {number} seconds how long ago
 */
export function ago(seconds) {
  const format = new Intl.RelativeTimeFormat(getLang(), { numeric: 'auto' });
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return format.format(-s, 'second');
  if (s < 3600) return format.format(-Math.floor(s / 60), 'minute');
  if (s < 86400) return format.format(-Math.floor(s / 3600), 'hour');
  return format.format(-Math.floor(s / 86400), 'day');
}

/**
 * "2 hours" in the screen's language: how long something has run.
 * @param {number} seconds
 */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  /** @param {number} n @param {string} unit */
  const say = (n, unit) => new Intl.NumberFormat(getLang(), { style: 'unit', unit, unitDisplay: 'long' }).format(n);
  if (s < 3600) return say(Math.floor(s / 60), 'minute');
  if (s < 86400) return say(Math.floor(s / 3600), 'hour');
  return say(Math.floor(s / 86400), 'day');
}

/**
 * One kiosk's warnings, most urgent first, as sentences.
 * @param {any} k a kiosk of lan_status
 */
function warningLines(k) {
  const r = k.report ?? {};
  return (k.warnings ?? []).map((/** @type {string} */ w) => {
    const vars = {
      name: k.name,
      seen: k.lastSeen ? ago((Date.now() - k.lastSeen) / 1000) : '—',
      version: k.offer?.version ?? r.pack?.version ?? '',
      detail: r.pack?.detail ?? '',
      count: r.failedDeliveries ?? 0,
    };
    return h('li', { class: 'fleet__warning', dataset: { test: 'fleet-warning', warning: w } }, icon('alert'), h('span', {}, t(`fleet.warning.${w}`, vars)));
  });
}

/**
 * The facts of one kiosk's last report.
 * @param {any} r a KioskReport
 * @param {number} lastSeen Unix ms
 */
function facts(r, lastSeen) {
  const since = (Date.now() - lastSeen) / 1000;
  const waiting = r.oldestWaitingSeconds == null ? null : t('fleet.oldest', { age: ago(r.oldestWaitingSeconds + since) });
  /** @param {string} label @param {string} value @param {string} test */
  const fact = (label, value, test) => h('div', { class: 'health__fact' }, h('dt', {}, label), h('dd', { dataset: { test } }, value));
  return h(
    'dl',
    { class: 'health__facts fleet__facts' },
    fact(t('fleet.app'), r.appVersion, 'fleet-app'),
    fact(t('fleet.content'), r.packVersion ? t('fleet.packVersion', { version: r.packVersion }) : t('fleet.shipped'), 'fleet-content'),
    fact(t('fleet.queue'), [String(r.queueLength ?? '—'), waiting].filter(Boolean).join(', '), 'fleet-queue'),
    fact(t('fleet.lastDelivery'), r.lastDeliverySeconds == null ? t('fleet.never') : ago(r.lastDeliverySeconds + since), 'fleet-last-delivery'),
    fact(t('fleet.disk'), bytes(r.freeDiskBytes), 'fleet-disk'),
    fact(t('fleet.uptime'), duration(r.uptimeSeconds + since), 'fleet-uptime'),
  );
}

/**
 * Where the pack staff sent a kiosk stands.
 * @param {any} k a kiosk of lan_status
 */
function offerLine(k) {
  const offer = k.offer;
  if (!offer) return null;
  const running = k.report?.packVersion ?? 0;
  const tried = k.report?.pack?.version === offer.version ? k.report.pack : null;
  let key = 'fleet.offerWaiting';
  if (running >= offer.version) key = 'fleet.offerInstalled';
  else if (tried && tried.offeredAt === offer.offeredAt && tried.outcome === 'download') key = 'fleet.offerRetrying';
  else if (tried && tried.offeredAt === offer.offeredAt) key = 'fleet.offerRefused';
  return h('p', { class: 'fleet__offer', dataset: { test: 'fleet-offer', state: key.slice('fleet.offer'.length).toLowerCase() } }, t(key, { version: offer.version }));
}

/**
 * One kiosk of the list.
 * @param {any} k a kiosk of lan_status
 * @param {(ms: number) => string} when a formatted date and time
 * @param {HTMLElement | null} actions its buttons (admins)
 */
export function kioskItem(k, when, actions) {
  const warned = (k.warnings ?? []).length > 0;
  const seen = k.lastSeen
    ? t('fleet.lastSeen', { ago: ago((Date.now() - k.lastSeen) / 1000), time: when(k.lastSeen) })
    : t('fleet.neverSeen');
  return h(
    'li',
    { class: `lan__kiosk fleet__kiosk${warned ? ' fleet__kiosk--warn' : ''}`, dataset: { test: 'lan-kiosk', id: k.kioskId } },
    h(
      'div',
      { class: 'fleet__head' },
      icon(warned ? 'alert' : 'check'),
      h('span', {}, h('strong', { dataset: { test: 'fleet-name' } }, k.name), ' ', h('span', { dataset: { test: 'fleet-seen' } }, seen)),
      h('span', { class: 'sr-only' }, warned ? t('fleet.needsAttention') : t('fleet.allWell')),
      actions,
    ),
    warned ? h('ul', { class: 'fleet__warnings', role: 'list' }, warningLines(k)) : null,
    k.report ? facts(k.report, k.lastSeen) : null,
    offerLine(k),
    h('p', { class: 'fleet__paired' }, t('lan.pairedSince', { time: when(k.pairedAt) })),
  );
}

/**
 * The send button's words: where it sends.
 * @param {any[]} kiosks
 * @param {string} target '' for every kiosk, else a kiosk id
 */
function sendLabel(kiosks, target) {
  const kiosk = kiosks.find((k) => k.kioskId === target);
  return kiosk ? t('fleet.sendToOne', { name: kiosk.name }) : t('fleet.sendToAll');
}

/**
 * One pack of the send form: its name and version, and its send button, or why no kiosk
 * would take it.
 * @param {any} p a pack of content_packs
 * @param {number} i its place, for the ids
 * @param {string} label the button's words
 * @param {() => void} onSend
 * @param {HTMLButtonElement[]} buttons the form's send buttons, to relabel when the target changes
 */
function packItem(p, i, label, onSend, buttons) {
  const nameId = `fleet-pack-${i}`;
  let action;
  if (SENDABLE.has(p.state)) {
    const button = /** @type {HTMLButtonElement} */ (
      h(
        'button',
        {
          type: 'button',
          class: 'button button--primary button--small',
          dataset: { test: 'fleet-send-pack', version: String(p.version) },
          'aria-describedby': nameId,
          onclick: onSend,
        },
        icon('arrowRight'),
        h('span', {}, label),
      )
    );
    buttons.push(button);
    action = button;
  } else {
    action = h('span', { class: 'fleet__unsendable', dataset: { test: 'fleet-unsendable' } }, t(`packs.state.${p.state}`));
  }
  return h(
    'li',
    { class: 'packs__item' },
    h('span', { id: nameId }, h('strong', {}, p.name), ' ', p.version == null ? '' : t('packs.version', { version: p.version })),
    action,
  );
}

/**
 * Admins: send one of the packs found on the laptop to every kiosk, or to one. Packs no
 * kiosk would take (not signed by a key the laptop trusts, changed, cut short) are listed
 * with why, not left out.
 * @param {{ token: () => string | null, guard: <T>(f: () => Promise<T>) => Promise<T | null>, isAlive: () => boolean, kiosks: any[], status: HTMLElement, redraw: (lan: any) => void, target: { value: string } }} deps
 *   target: where to send, kept by the panel across redraws
 * @returns {HTMLElement}
 */
export function sendPacks({ token, guard, isAlive, kiosks, status, redraw, target }) {
  const box = h('div', { class: 'fleet__send', dataset: { test: 'fleet-send' } }, h('p', {}, t('fleet.sendLoading')));
  if (!kiosks.some((k) => k.kioskId === target.value)) target.value = '';
  /** @type {HTMLButtonElement[]} */
  const buttons = [];
  const select = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      {
        id: 'fleet-target',
        class: 'field__input fleet__target',
        dataset: { test: 'fleet-target' },
        onchange: () => {
          target.value = select.value;
          for (const b of buttons) {
            const words = b.querySelector('span');
            if (words) words.textContent = sendLabel(kiosks, target.value);
          }
        },
      },
      h('option', { value: '' }, t('fleet.allKiosks')),
      kiosks.map((k) => h('option', { value: k.kioskId }, k.name)),
    )
  );
  select.value = target.value;
  /** @param {any} p a pack of content_packs */
  const send = (p) => async () => {
    status.textContent = t('fleet.sending');
    try {
      const result = await guard(() => api.lanSendPack(token(), p.path, target.value || null));
      if (!result || !isAlive()) return;
      redraw(result.status);
      status.textContent = result.sent
        ? t('fleet.sent', { version: result.sent.version, count: result.sent.kiosks })
        : t('fleet.refused', { why: t(`packs.state.${result.refused}`) });
    } catch (error) {
      if (isAlive()) status.textContent = failure(error, 'lan.failed');
    }
  };
  /** @param {any} p @param {number} i */
  const item = (p, i) => packItem(p, i, sendLabel(kiosks, target.value), send(p), buttons);
  (async () => {
    try {
      const found = await guard(() => api.contentPacks(token()));
      if (!found || !isAlive()) return;
      const packs = found.packs ?? [];
      if (!packs.length) {
        box.replaceChildren(h('p', { class: 'empty-note', dataset: { test: 'fleet-no-packs' } }, t('fleet.noPacks')));
        return;
      }
      box.replaceChildren(
        h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'fleet-target' }, t('fleet.sendTo')), select),
        h('ul', { class: 'packs__list', role: 'list' }, packs.map(item)),
      );
    } catch (error) {
      if (isAlive()) box.replaceChildren(h('p', { class: 'empty-note' }, failure(error, 'lan.failed')));
    }
  })();
  return h('div', { class: 'fleet__send-section' }, h('h2', { class: 'health__section-title' }, t('fleet.sendTitle')), h('p', {}, t('fleet.sendLead')), box);
}
