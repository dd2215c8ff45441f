// @ts-check
// The staff view, behind a PIN: the PIN screen (staff-pin.js) and, once unlocked, the inbox
// (staff-inbox.js: requests, notes, export, audit, front desk link, health, and for admins the
// staff accounts). Staff accounts are never made here for someone at the screen: until one
// exists (made on the command line), the view only explains how IT sets one up (staff-none.js).
//
// The session (staff-session.js) lives only in memory. Rust checks it on every command; any
// `unauthorized` answer drops it and brings back the PIN screen. The view also locks itself
// when unused and tells Rust about real use (staff-lock.js). Leaving the staff view (Home,
// Back, Lock, the timeout) ends the session and drops every patient detail it showed.

import * as api from '../api.js';
import { PIN_MAX, PIN_MIN_DEFAULT } from '../components/pin.js';
import { session, view } from './staff-session.js';
import { renderNone } from './staff-none.js';
import { renderPin } from './staff-pin.js';
import { renderInbox } from './staff-inbox.js';

/** @param {{ app?: { mode?: string } }} [route] */
export async function render({ app } = {}) {
  if (app?.mode) view.mode = app.mode;
  if (session.token) {
    const inbox = await renderInbox();
    if (inbox) return inbox;
  }
  const status = await api.staffStatus();
  if (Number(status.lockSeconds) > 0) view.lockSeconds = Number(status.lockSeconds);
  const pinMin = Number(status.pinMinDigits);
  view.pinMin = Number.isInteger(pinMin) && pinMin >= PIN_MIN_DEFAULT && pinMin <= PIN_MAX ? pinMin : PIN_MIN_DEFAULT;
  if (!status.hasAccounts) return renderNone();
  return renderPin(Array.isArray(status.names) ? status.names : []);
}
