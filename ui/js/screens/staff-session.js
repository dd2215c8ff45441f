// @ts-check
// The staff session and what the staff view remembers between its screens. The token lives
// only in this module's memory; Rust checks it on every command. Leaving the staff view (Home,
// Back, Lock, the timeout) ends the session and drops every patient detail it showed.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { navigate, hrefStaff } from '../router.js';
import { PIN_MIN_DEFAULT } from '../components/pin.js';

/** The screens of the staff view: moving between them keeps the session. */
const STAFF_SCREENS = new Set(['staff-none', 'staff-pin', 'inbox']);

/**
 * role: 'frontDesk' or 'admin' (only admins see the ways out of kiosk mode, pairing, content
 * packs and staff accounts; Rust refuses them to others anyway). endsAt: when the session's
 * absolute lifetime ends (ms), or 0 when Rust did not say.
 * @type {{ token: string | null, name: string | null, role: 'frontDesk' | 'admin' | null, endsAt: number }}
 */
export const session = { token: null, name: null, role: null, endsAt: 0 };

/**
 * @type {{ lockSeconds: number, pinMin: number, filter: string, tab: string, notice: string | null, picked: string | null, mode: string }}
 */
export const view = {
  lockSeconds: 120,
  /** The fewest digits a PIN has (staff_status().pinMinDigits). */
  pinMin: PIN_MIN_DEFAULT,
  filter: 'open',
  tab: 'requests',
  /** Shown once on the next PIN screen: 'locked', 'idle' or 'ended'. */
  notice: null,
  /** The name picked on the PIN screen, kept across a change of language. */
  picked: null,
  /** The app's mode: on a kiosk the health tab offers the ways out of kiosk mode. */
  mode: 'kiosk',
};

export const isAdmin = () => session.role === 'admin';

/** Draws the staff view again (after unlocking, locking or a refused token). */
export function reshow() {
  navigate(hrefStaff(), { replace: true });
}

/** Ends the session here and in Rust, and forgets everything the staff view held. */
export function endSession() {
  const ended = session.token;
  forget();
  view.filter = 'open';
  view.tab = 'requests';
  view.notice = null;
  view.picked = null;
  if (ended) api.staffLock(ended).catch(() => {});
}

/**
 * Rust refused the token: forget it and ask for the PIN again.
 * @param {string} notice
 */
export function dropSession(notice) {
  forget();
  view.notice = notice;
}

function forget() {
  session.token = null;
  session.name = null;
  session.role = null;
  session.endsAt = 0;
}

/**
 * A staff screen's onLeave: the session ends unless the next screen is the staff view's.
 * @param {string} next
 */
export function leaving(next) {
  if (!STAFF_SCREENS.has(next)) endSession();
}

/**
 * The heading of a staff screen.
 * @param {string} iconName
 * @param {string} title
 * @param {string | null} [lead]
 */
export function pageHead(iconName, title, lead) {
  return h(
    'div',
    { class: 'page-head page-head--staff' },
    h('span', { class: 'page-head__icon' }, icon(iconName)),
    h(
      'div',
      { class: 'page-head__text' },
      h('h1', { class: 'page-head__title', id: 'page-title', tabindex: '-1' }, title),
      lead ? h('p', { class: 'page-head__lead' }, lead) : null,
    ),
  );
}

/**
 * Why the PIN screen is back ('locked', 'idle', 'ended'), or nothing.
 * @param {string | null} kind
 */
export function noticeBox(kind) {
  if (!kind) return null;
  return h(
    'p',
    { class: 'staff-notice', role: 'status', dataset: { test: 'staff-notice', kind } },
    icon('lock'),
    h('span', {}, t(`staff.notice.${kind}`)),
  );
}
