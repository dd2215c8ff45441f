// @ts-check
// The staff view locks itself: after view.lockSeconds without a touch or a key, or when the
// session's whole lifetime is over, with a warning WARN_SECS before. Real use (a touch or a
// key, never the inbox's own refresh) is told to Rust with staff_keepalive, at most every
// KEEPALIVE_MS, so Rust's session outlives this view's timer. It runs on idle.js's clock.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { activityClock } from '../idle.js';
import { session, view } from './staff-session.js';

/** Warn this long before the view locks itself. */
const WARN_SECS = 20;
/** At most this often, staff activity tells Rust the session is in use (staff_keepalive). */
const KEEPALIVE_MS = 20_000;
const ACTIVITY = ['pointerdown', 'keydown', 'input', 'wheel'];

/**
 * @param {object} deps
 * @param {(notice: 'idle' | 'ended') => void} deps.lock ends the session and shows the PIN screen
 * @param {<T>(command: () => Promise<T>) => Promise<T | null>} deps.guard runs a staff command
 * @param {() => boolean} deps.isAlive false once the staff view has gone
 * @returns {{ node: HTMLElement, start(): void, stop(): void }}
 */
export function selfLock({ lock, guard, isAlive }) {
  const warningText = h('span', {});
  const left = h('span', { 'aria-hidden': 'true' });
  const node = h('div', { class: 'idle-warning', role: 'alert', dataset: { test: 'idle-warning' }, hidden: true }, icon('lock'), h('p', {}, warningText, ' ', left));
  /** Which warning shows: 'idle' (a touch keeps the view) or 'lifetime' (nothing does). */
  let warningKind = /** @type {string | null} */ (null);
  let lastKeepalive = Date.now();
  let keepaliveTimer = 0;
  /** @type {ReturnType<typeof activityClock> | null} */
  let clock = null;

  /**
   * @param {'idle' | 'lifetime'} kind
   * @param {number} secs
   */
  function warn(kind, secs) {
    if (warningKind !== kind) {
      warningKind = kind;
      warningText.textContent = t(kind === 'lifetime' ? 'inbox.sessionEnding' : 'inbox.idleWarning');
      node.dataset.kind = kind;
    }
    left.textContent = t('staff.secondsLeft', { count: secs });
    node.hidden = false;
  }

  /** @param {Event} event */
  function activity(event) {
    clock?.touch();
    if (warningKind === 'idle') {
      node.hidden = true;
      warningKind = null;
    }
    // A touch or a key is real use: tell Rust, at most every KEEPALIVE_MS, the last one
    // included (sent when the wait is over). The inbox's own refresh never gets here.
    if ((event.type === 'pointerdown' || event.type === 'keydown') && !keepaliveTimer) {
      const wait = lastKeepalive + KEEPALIVE_MS - Date.now();
      if (wait <= 0) keepalive();
      else keepaliveTimer = setTimeout(keepalive, wait);
    }
  }

  async function keepalive() {
    keepaliveTimer = 0;
    lastKeepalive = Date.now();
    if (!isAlive() || !session.token) return;
    try {
      const answer = await guard(() => api.staffKeepalive(session.token));
      const secs = Number(answer?.sessionSecsLeft);
      if (isAlive() && Number.isFinite(secs) && secs >= 0) session.endsAt = Date.now() + secs * 1000;
    } catch {
      // The next touch tries again; a refused session shows the PIN screen through guard().
    }
  }

  function check() {
    // The session's whole lifetime is over: Rust refuses it now, whatever the use.
    if (session.endsAt) {
      const lifeLeft = Math.ceil((session.endsAt - Date.now()) / 1000);
      if (lifeLeft <= 0) return lock('ended');
      if (lifeLeft <= WARN_SECS) return warn('lifetime', lifeLeft);
    }
    const idleLeft = Math.ceil(((clock?.last() ?? Date.now()) + view.lockSeconds * 1000 - Date.now()) / 1000);
    if (idleLeft <= 0) lock('idle');
    else if (idleLeft <= WARN_SECS) warn('idle', idleLeft);
  }

  return {
    node,
    start() {
      clock = activityClock({ events: ACTIVITY, passive: true, onActivity: activity, onTick: check });
    },
    stop() {
      clock?.stop();
      clearTimeout(keepaliveTimer);
    },
  };
}
