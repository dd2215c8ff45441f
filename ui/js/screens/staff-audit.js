// @ts-check
// The staff view's "Activity" tab: the audit log, newest first (who did what, when, to which
// request).

import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';

/** Each audit action's text key (inbox.audit.actions.*). */
const ACTION_KEYS = /** @type {Record<string, string>} */ ({
  unlock: 'unlock',
  'unlock-failed': 'unlockFailed',
  lock: 'lock',
  status: 'status',
  note: 'note',
  export: 'export',
  'staff-added': 'staffAdded',
  'pin-changed': 'pinChanged',
  purge: 'purge',
  'leave-kiosk': 'leaveKiosk',
  quit: 'quit',
  'delivery-retry': 'deliveryRetry',
  'pair-code': 'pairCode',
  pair: 'pair',
  unpair: 'unpair',
  'content-import': 'contentImport',
  'unlock-refused': 'unlockRefused',
  'account-hard-locked': 'accountHardLocked',
  'kiosk-hard-locked': 'kioskHardLocked',
  'account-unlocked': 'accountUnlocked',
  'kiosk-unlocked': 'kioskUnlocked',
  'staff-removed': 'staffRemoved',
  'role-admin-on-upgrade': 'roleAdminOnUpgrade',
  'pin-below-rules': 'pinBelowRules',
});

/**
 * @typedef {object} AuditEntry
 * @property {number} at ms since the epoch
 * @property {string} staff
 * @property {string} action
 * @property {string | null} [requestId]
 * @property {string | null} [detail]
 */

/**
 * @param {import('./staff-inbox.js').PanelDeps} deps
 * @returns {{ node: HTMLElement, load(): Promise<void> }}
 */
export function auditPanel({ token, guard, isAlive, when }) {
  const node = h('div', { class: 'audit' });
  return {
    node,
    async load() {
      node.setAttribute('aria-busy', 'true');
      try {
        /** @type {AuditEntry[] | null} */
        const entries = await guard(() => api.auditList(token(), 200));
        if (!isAlive() || !entries) return;
        node.replaceChildren(auditTable(entries, when));
      } catch {
        if (isAlive()) node.replaceChildren(h('p', { class: 'empty-note' }, t('inbox.auditFailed')));
      } finally {
        node.removeAttribute('aria-busy');
      }
    },
  };
}

/** @param {string} action */
function actionName(action) {
  const key = ACTION_KEYS[action];
  return key ? t(`inbox.audit.actions.${key}`) : action;
}

/**
 * @param {AuditEntry[]} entries
 * @param {(ms: number) => string} when
 */
function auditTable(entries, when) {
  if (!entries.length) return h('p', { class: 'empty-note' }, t('inbox.auditEmpty'));
  return h(
    'table',
    { class: 'audit-table', dataset: { test: 'audit-table' } },
    h('caption', { class: 'audit-table__caption' }, t('inbox.audit.caption')),
    h('thead', {}, h('tr', {}, ['when', 'who', 'action', 'request', 'detail'].map((col) => h('th', { scope: 'col' }, t(`inbox.audit.${col}`))))),
    h(
      'tbody',
      {},
      entries.map((entry) =>
        h(
          'tr',
          { dataset: { test: 'audit-row', action: entry.action } },
          h('td', {}, when(entry.at)),
          h('td', {}, entry.staff),
          h('td', {}, actionName(entry.action)),
          h('td', {}, entry.requestId ? h('code', { class: 'request-id', title: entry.requestId }, `…${entry.requestId.slice(-8)}`) : '—'),
          h('td', {}, entry.detail ?? ''),
        ),
      ),
    ),
  );
}
