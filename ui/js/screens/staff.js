// The staff view, behind a PIN: the PIN screen (pick your name, enter the PIN on a large pad)
// and the callback inbox (requests, notes, export, audit, front desk link, health, and for
// admins the staff accounts). Staff accounts are never made here for someone at the screen:
// until one exists (made on the command line), the view only explains how IT sets one up.
//
// The session token lives only in this module's memory. Rust checks it on every command; any
// `unauthorized` answer drops it and brings back the PIN screen. The view also locks itself
// after staff_status().lockSeconds without a touch or a key, and tells Rust about real use
// (a touch or a key, never the inbox's own refresh) with staff_keepalive. Leaving the staff
// view (Home, Back, Lock, the timeout) ends the session and drops every patient detail it showed.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, tSplit, getLang } from '../i18n.js';
import * as api from '../api.js';
import { navigate, hrefStaff, goHome } from '../router.js';
import { attach as attachKeyboard, closeKeyboard } from '../components/keyboard.js';
import { pinInput, PIN_MAX, PIN_MIN_DEFAULT } from '../components/pin.js';
import { healthPanel } from './staff-health.js';
import { lanPanel } from './staff-lan.js';
import { accountsPanel } from './staff-accounts.js';

/** The screens of the staff view: moving between them keeps the session. */
const STAFF_SCREENS = new Set(['staff-none', 'staff-pin', 'inbox']);
const FILTERS = ['open', 'new', 'noAnswer', 'contacted', 'closed', 'all'];
const STATUSES = ['new', 'noAnswer', 'contacted', 'closed'];
const STAFF_NOTE_MAX = 500;
/** Warn this long before the view locks itself. */
const WARN_SECS = 20;
/** The inbox looks for new requests and delivery changes this often. */
const REFRESH_MS = 5_000;
/** At most this often, staff activity tells Rust the session is in use (staff_keepalive). */
const KEEPALIVE_MS = 20_000;
/** The command IT runs to make the first account (the name is a placeholder in the screen's language). */
const ADD_COMMAND = (name) => `clinic-kiosk staff add "${name}" --role admin`;
const UNLOCK_COMMAND = 'clinic-kiosk staff unlock';

/**
 * role: 'frontDesk' or 'admin' (only admins see the ways out of kiosk mode, pairing, content
 * packs and staff accounts; Rust refuses them to others anyway). endsAt: when the session's
 * absolute lifetime ends (ms), or 0 when Rust did not say.
 */
const session = { token: null, name: null, role: null, endsAt: 0 };
const view = {
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

const isAdmin = () => session.role === 'admin';

/** Draws the staff view again (after unlocking, locking or a refused token). */
function reshow() {
  navigate(hrefStaff(), { replace: true });
}

/** Ends the session here and in Rust, and forgets everything the staff view held. */
function endSession() {
  const token = session.token;
  forget();
  view.filter = 'open';
  view.tab = 'requests';
  view.notice = null;
  view.picked = null;
  if (token) api.staffLock(token).catch(() => {});
}

/** Rust refused the token: forget it and ask for the PIN again. */
function dropSession(notice) {
  forget();
  view.notice = notice;
}

function forget() {
  session.token = null;
  session.name = null;
  session.role = null;
  session.endsAt = 0;
}

function leaving(next) {
  if (!STAFF_SCREENS.has(next)) endSession();
}

function pageHead(iconName, title, lead) {
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

function noticeBox(kind) {
  if (!kind) return null;
  return h(
    'p',
    { class: 'staff-notice', role: 'status', dataset: { test: 'staff-notice', kind } },
    icon('lock'),
    h('span', {}, t(`staff.notice.${kind}`)),
  );
}

// ---------- no account yet ----------

/**
 * Before any staff account exists: how IT makes the first one on this computer's command
 * line. Nothing here makes an account; a patient who taps Staff only reads this and goes back.
 */
function renderNone() {
  const command = ADD_COMMAND(t('staff.none.namePlaceholder'));
  const [before, after] = tSplit('staff.none.step1', 'command');
  const node = h(
    'div',
    { class: 'staff-none' },
    pageHead('users', t('staff.none.title'), t('staff.none.lead')),
    h(
      'section',
      { class: 'staff-card staff-none__card', 'aria-labelledby': 'staff-none-how' },
      h('h2', { class: 'staff-card__title', id: 'staff-none-how' }, t('staff.none.howTitle')),
      h(
        'ol',
        { class: 'staff-none__steps' },
        h('li', {}, before, h('code', { class: 'staff-none__command', dataset: { test: 'staff-none-command' } }, command), after),
        h('li', {}, t('staff.none.step2', { count: view.pinMin })),
        h('li', {}, t('staff.none.step3')),
      ),
      h('p', { class: 'staff-none__note' }, icon('info'), h('span', {}, t('staff.none.note'))),
    ),
    h(
      'div',
      { class: 'form-actions' },
      h(
        'button',
        { type: 'button', class: 'button button--primary button--large', dataset: { test: 'staff-none-back' }, onclick: () => goHome() },
        icon('home'),
        t('staff.none.back'),
      ),
    ),
  );
  return { screen: 'staff-none', title: t('staff.none.title'), node, onLeave: leaving };
}

// ---------- PIN ----------

function renderPin(names) {
  const notice = view.notice;
  view.notice = null;
  let picked = names.includes(view.picked) ? view.picked : names.length === 1 ? names[0] : null;
  let busy = false;
  /** Names Rust answered `hardLocked` for, on this screen. */
  const hardLocked = new Set();
  /** Rust answered `kioskLocked`: every name is locked until IT lifts it. */
  let kioskLocked = false;
  let waitTimer = 0;
  let waitUntil = 0;

  const input = pinInput('staff-pin');
  input.setAttribute('aria-describedby', 'pin-message');
  const pinLabel = h('label', { class: 'pin__label staff-card__title', id: 'staff-pin-label', for: 'staff-pin' });
  const message = h('p', { class: 'pin__message', id: 'pin-message', role: 'alert', dataset: { test: 'pin-message' } });

  const nameButtons = names.map((name) =>
    h(
      'button',
      {
        type: 'button',
        class: 'staff-name',
        'aria-pressed': 'false',
        dataset: { test: 'staff-name', name },
        onclick: () => pick(name),
      },
      h('span', { class: 'staff-name__avatar', 'aria-hidden': 'true' }, initials(name)),
      h('span', { class: 'staff-name__text' }, name),
    ),
  );

  function pick(name) {
    picked = name;
    view.picked = name;
    for (const button of nameButtons) button.setAttribute('aria-pressed', String(button.dataset.name === name));
    pinLabel.textContent = t('staff.pinFor', { name });
    if (isHardLocked()) {
      showHardLock();
      return;
    }
    if (!isWaiting()) {
      say('');
      setEnabled(true);
    }
    input.focus({ preventScroll: true });
  }

  const keys = [];
  const key = (value, content, { label = null, variant = null } = {}) => {
    const button = h(
      'button',
      {
        type: 'button',
        class: ['pin-key', variant && `pin-key--${variant}`],
        // Digits are typed in the field from a keyboard; the pad is for fingers.
        tabindex: value === 'ok' ? null : '-1',
        'aria-label': label,
        dataset: { test: 'pin-key', key: value },
        onpointerdown: (event) => event.preventDefault(),
        onclick: () => press(value),
      },
      content,
    );
    keys.push(button);
    return button;
  };
  const pad = h(
    'div',
    { class: 'pin-pad', role: 'group', 'aria-label': t('staff.padLabel') },
    [...'123456789'].map((digit) => key(digit, digit)),
    key('backspace', icon('backspace'), { label: t('staff.backspace'), variant: 'fn' }),
    key('0', '0'),
    key('ok', t('staff.ok'), { variant: 'ok' }),
  );

  function press(value) {
    if (busy || isWaiting() || isHardLocked()) return;
    if (value === 'ok') {
      submit();
      return;
    }
    if (document.activeElement !== input) input.focus({ preventScroll: true });
    if (value === 'backspace') input.value = input.value.slice(0, -1);
    else if (input.value.length < PIN_MAX) input.value += value;
  }

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      submit();
    }
  });

  async function submit() {
    if (busy || isWaiting() || isHardLocked()) return;
    if (!picked) {
      say(t('staff.chooseNameFirst'), 'info');
      nameButtons[0]?.focus();
      return;
    }
    const pin = input.value;
    if (pin.length < view.pinMin) {
      say(t('staff.pinTooShort', { count: view.pinMin }), 'info');
      input.focus({ preventScroll: true });
      return;
    }
    busy = true;
    setEnabled(false);
    try {
      const started = await api.staffUnlock(picked, pin);
      input.value = '';
      session.token = started.token;
      session.name = started.name;
      session.role = started.role === 'admin' ? 'admin' : 'frontDesk';
      const lifetime = Number(started.sessionMaxSecs);
      session.endsAt = Number.isFinite(lifetime) && lifetime > 0 ? Date.now() + lifetime * 1000 : 0;
      reshow();
    } catch (error) {
      input.value = '';
      if (error?.kind === 'kioskLocked') {
        kioskLocked = true;
        showHardLock();
      } else if (error?.kind === 'hardLocked') {
        hardLocked.add(picked);
        showHardLock();
      } else if (error?.kind === 'locked' || (error?.kind === 'invalidInput' && error.retryAfterSecs)) {
        wait(error.retryAfterSecs ?? 30, error.kind === 'locked' ? 'staff.tooManyWait' : 'staff.wrongPinWait');
      } else if (error?.kind === 'invalidInput') {
        say(t('staff.wrongPin'));
      } else {
        say(t('staff.unlockFailed'));
      }
    } finally {
      busy = false;
      if (!isWaiting() && !isHardLocked()) {
        setEnabled(true);
        input.focus({ preventScroll: true });
      }
    }
  }

  /** tone: 'error' for a refusal, 'info' for guidance. */
  function say(text, tone = 'error') {
    message.textContent = text;
    message.dataset.tone = tone;
    delete message.dataset.kind;
  }

  const isWaiting = () => Date.now() < waitUntil;
  const isHardLocked = () => kioskLocked || (picked !== null && hardLocked.has(picked));

  /** Too many wrong PINs: no more tries here; an admin or IT lifts the lock. */
  function showHardLock() {
    clearInterval(waitTimer);
    waitUntil = 0;
    delete message.dataset.waiting;
    const [before, after] = tSplit(kioskLocked ? 'staff.kioskLocked' : 'staff.hardLocked', 'command');
    const command = kioskLocked ? `${UNLOCK_COMMAND} --kiosk` : UNLOCK_COMMAND;
    message.replaceChildren(before, h('code', { class: 'pin__command' }, command), after);
    message.dataset.tone = 'error';
    message.dataset.kind = 'hardLocked';
    setEnabled(false);
  }

  /** The pad is off for `seconds`, with the time left on screen. */
  function wait(seconds, key) {
    clearInterval(waitTimer);
    waitUntil = Date.now() + seconds * 1000;
    setEnabled(false);
    message.dataset.waiting = 'true';
    message.dataset.tone = 'error';
    const tick = () => {
      const left = Math.ceil((waitUntil - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(waitTimer);
        delete message.dataset.waiting;
        say(t('staff.tryAgainNow'), 'info');
        setEnabled(true);
        input.focus({ preventScroll: true });
        return;
      }
      countdownText.textContent = t('staff.secondsLeft', { count: left });
    };
    const countdownText = h('span', { class: 'pin__countdown', dataset: { test: 'pin-countdown' } });
    message.replaceChildren(h('span', {}, t(key, { count: seconds })), ' ', countdownText);
    // Only the first words are announced; the countdown just updates on screen.
    countdownText.setAttribute('aria-hidden', 'true');
    tick();
    waitTimer = setInterval(tick, 250);
  }

  function setEnabled(enabled) {
    for (const button of keys) button.disabled = !enabled;
    input.disabled = !enabled;
    pad.classList.toggle('is-disabled', !enabled);
  }

  // A physical keyboard types into the PIN wherever focus is on this screen.
  function onKeydown(event) {
    if (event.target === input || event.altKey || event.ctrlKey || event.metaKey) return;
    if (/^[0-9]$/.test(event.key)) {
      event.preventDefault();
      press(event.key);
    } else if (event.key === 'Backspace') {
      event.preventDefault();
      press('backspace');
    } else if (event.key === 'Enter' && event.target.tagName !== 'BUTTON') {
      event.preventDefault();
      submit();
    }
  }

  const node = h(
    'div',
    { class: 'staff-pin', onkeydown: onKeydown },
    pageHead('lock', t('staff.pinTitle'), t('staff.pinLead')),
    noticeBox(notice),
    h(
      'div',
      { class: 'staff-pin__layout' },
      h(
        'section',
        { class: 'staff-card staff-pin__names', 'aria-labelledby': 'staff-names-heading' },
        h('h2', { class: 'staff-card__title', id: 'staff-names-heading' }, t('staff.namesHeading')),
        h('ul', { class: 'staff-names', role: 'list' }, nameButtons.map((button) => h('li', {}, button))),
      ),
      h(
        'section',
        { class: 'staff-card staff-pin__pad', 'aria-labelledby': 'staff-pin-label' },
        pinLabel,
        input,
        message,
        pad,
      ),
    ),
  );

  if (picked) pick(picked);
  else pinLabel.textContent = t('staff.pinLabel');

  return {
    screen: 'staff-pin',
    title: t('staff.pinTitle'),
    node,
    onLeave: (next) => {
      clearInterval(waitTimer);
      input.value = '';
      leaving(next);
    },
  };
}

function initials(name) {
  return [...name.trim().split(/\s+/).map((part) => [...part][0] ?? '').join('')].slice(0, 2).join('').toLocaleUpperCase();
}

// ---------- the inbox ----------

async function renderInbox() {
  const token = session.token;
  const lang = getLang();
  let config;
  let topics;
  let items;
  try {
    [config, topics, items] = await Promise.all([
      api.callbackConfig(lang).catch(() => null),
      api.listTopics(lang).catch(() => []),
      api.inboxList(token, view.filter),
    ]);
  } catch (error) {
    if (error?.kind === 'unauthorized') {
      dropSession('ended');
      return null;
    }
    throw error;
  }
  if (token !== session.token) return null;

  const names = {
    slot: new Map((config?.slots ?? []).map((slot) => [slot.id, slot.label])),
    specialty: new Map((config?.specialties ?? []).map((s) => [s.slug, s.name])),
    topic: new Map((topics ?? []).map((topic) => [topic.slug, topic.name])),
  };
  const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const when = (ms) => dateTime.format(new Date(Number(ms)));
  let alive = true;

  // ---------- parts ----------

  const status = h('p', { class: 'inbox-status', role: 'status', dataset: { test: 'inbox-status' } });
  const announce = (text) => {
    status.textContent = '';
    setTimeout(() => {
      if (alive) status.textContent = text;
    }, 60);
  };

  const count = h('p', { class: 'inbox-count', id: 'inbox-count', tabindex: '-1' });
  const list = h('ul', { class: 'inbox-list', role: 'list', 'aria-labelledby': 'inbox-count' });

  const filterButtons = FILTERS.map((filter) =>
    h(
      'button',
      {
        type: 'button',
        class: 'segmented__option',
        'aria-pressed': String(filter === view.filter),
        dataset: { test: 'inbox-filter', filter },
        onclick: () => {
          if (view.filter === filter) return;
          view.filter = filter;
          for (const button of filterButtons) button.setAttribute('aria-pressed', String(button.dataset.filter === filter));
          reload();
        },
      },
      t(`inbox.filter.${filter}`),
    ),
  );

  function drawList() {
    closeKeyboard();
    count.textContent = items.length ? t('inbox.count', { count: items.length }) : t(view.filter === 'open' ? 'inbox.emptyOpen' : 'inbox.empty');
    count.classList.toggle('is-empty', !items.length);
    list.replaceChildren(...items.map(card));
  }

  async function reload({ focusId = null } = {}) {
    list.setAttribute('aria-busy', 'true');
    try {
      const fresh = await guard(() => api.inboxList(session.token, view.filter));
      if (!alive || !fresh) return;
      items = fresh;
      drawList();
      const again = focusId && list.querySelector(`[data-id="${CSS.escape(focusId)}"] .request__name`);
      if (again) again.focus({ preventScroll: false });
      else if (focusId) count.focus();
    } catch {
      if (alive) announce(t('inbox.loadFailed'));
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  /**
   * Keeps the list current (new requests, delivery states) without disturbing staff: only
   * when the requests tab shows, no note is being written, focus is not in the list, and
   * something changed.
   */
  async function refreshQuietly() {
    if (!alive || view.tab !== 'requests' || list.getAttribute('aria-busy') === 'true') return;
    if (list.querySelector('.request__editor > *') || list.contains(document.activeElement)) return;
    try {
      const fresh = await guard(() => api.inboxList(session.token, view.filter));
      if (!alive || !fresh || JSON.stringify(fresh) === JSON.stringify(items)) return;
      if (list.querySelector('.request__editor > *') || list.contains(document.activeElement)) return;
      items = fresh;
      drawList();
    } catch {
      // The next refresh or a staff action tries again.
    }
  }

  function card(item) {
    const headingId = `request-${item.id}`;
    const statusName = STATUSES.includes(item.status) ? item.status : 'new';
    const details = [
      ['bestTime', names.slot.get(item.bestTime) ?? item.bestTime],
      ['language', t(`languageNames.${item.language}`) || item.language],
      ['specialty', names.specialty.get(item.specialty) ?? item.specialty],
      item.topic ? ['topic', names.topic.get(item.topic) ?? item.topic] : null,
      item.article ? ['article', item.article] : null,
      item.fromKiosk ? ['fromKiosk', item.fromKiosk] : null,
    ].filter(Boolean);

    const editorSlot = h('div', { class: 'request__editor' });
    const actions = h(
      'div',
      { class: 'request__actions' },
      statusName === 'closed'
        ? action('reopen', 'retry', () => update(item, { status: 'new' }, 'new'))
        : [
            action('mark-contacted', 'check', () => update(item, { status: 'contacted' }, 'contacted'), statusName === 'contacted'),
            action('mark-no-answer', 'retry', () => update(item, { status: 'noAnswer' }, 'noAnswer'), statusName === 'noAnswer'),
            action('mark-closed', 'archive', () => update(item, { status: 'closed' }, 'closed')),
          ],
      action('add-note', 'pencil', (event) => openEditor(item, editorSlot, event.currentTarget)),
    );

    return h(
      'li',
      { class: ['request', `request--${statusName}`], dataset: { test: 'inbox-item', id: item.id, status: statusName } },
      h(
        'article',
        { class: 'request__body', 'aria-labelledby': headingId },
        h(
          'div',
          { class: 'request__head' },
          h('h2', { class: 'request__name', id: headingId, tabindex: '-1' }, item.name),
          h('span', { class: ['badge', `badge--${statusName}`], dataset: { test: 'inbox-status-badge' } }, t(`inbox.status.${statusName}`)),
        ),
        h('p', { class: 'request__phone', dataset: { test: 'inbox-phone' } }, icon('phone'), item.phoneDisplay),
        h('p', { class: 'request__time' }, icon('clock'), t('inbox.received', { time: when(item.createdAt) })),
        h(
          'dl',
          { class: 'request__details' },
          details.map(([label, value]) => h('div', { class: 'request__detail' }, h('dt', {}, t(`inbox.fields.${label}`)), h('dd', {}, value))),
        ),
        item.note
          ? h(
              'div',
              { class: 'request__note' },
              h('p', { class: 'request__note-label' }, t('inbox.fields.patientNote')),
              h('p', { class: 'request__note-text' }, item.note),
            )
          : null,
        item.notes?.length
          ? h(
              'div',
              { class: 'request__staff-notes' },
              h('p', { class: 'request__note-label' }, t('inbox.fields.staffNotes')),
              h(
                'ul',
                { role: 'list' },
                item.notes.map((note) =>
                  h('li', {}, h('span', { class: 'request__note-meta' }, t('inbox.noteBy', { staff: note.staff, time: when(note.at) })), ' ', note.text),
                ),
              ),
            )
          : null,
        deliveries(item),
        actions,
        editorSlot,
      ),
    );
  }

  /** Where the request is at each of the clinic's destinations, with a retry when it failed. */
  function deliveries(item) {
    if (!item.deliveries?.length) return null;
    return h(
      'div',
      { class: 'request__deliveries' },
      h('p', { class: 'request__note-label' }, t('inbox.delivery.title')),
      h(
        'ul',
        { role: 'list' },
        item.deliveries.map((d) => {
          const state = ['delivered', 'waiting', 'failed'].includes(d.state) ? d.state : 'waiting';
          const text =
            state === 'delivered'
              ? t('inbox.delivery.delivered', { time: when(d.deliveredAt) })
              : state === 'failed'
                ? t('inbox.delivery.failed', { reason: d.reason ?? '' })
                : d.reason
                  ? t('inbox.delivery.waitingWhy', { time: when(d.nextAttemptAt), reason: d.reason })
                  : t('inbox.delivery.waiting', { time: when(d.nextAttemptAt) });
          return h(
            'li',
            { class: ['delivery', `delivery--${state}`], dataset: { test: 'delivery', destination: d.destination, state } },
            icon(state === 'delivered' ? 'check' : state === 'failed' ? 'alert' : 'clock'),
            h('span', {}, h('strong', {}, d.destination), ': ', text),
            state === 'delivered'
              ? null
              : h(
                  'button',
                  {
                    type: 'button',
                    class: 'button button--secondary button--small',
                    dataset: { test: 'delivery-retry' },
                    onclick: () => retryDelivery(item, d.destination),
                  },
                  icon('retry'),
                  t('inbox.delivery.retry'),
                ),
          );
        }),
      ),
    );
  }

  async function retryDelivery(item, destination) {
    try {
      const updated = await guard(() => api.deliveryRetry(session.token, item.id, destination));
      if (!alive || !updated) return;
      announce(t('inbox.delivery.retrying', { destination }));
      await reload({ focusId: item.id });
    } catch {
      if (alive) announce(t('inbox.updateFailed'));
    }
  }

  function action(test, iconName, onclick, current = false) {
    const key = { 'mark-contacted': 'markContacted', 'mark-no-answer': 'markNoAnswer', 'mark-closed': 'markClosed', 'add-note': 'addNote', reopen: 'reopen' }[test];
    return h(
      'button',
      { type: 'button', class: ['button', 'button--secondary', 'request__action'], dataset: { test }, disabled: current, onclick },
      icon(iconName),
      t(`inbox.${key}`),
    );
  }

  async function update(item, change, done) {
    try {
      const updated = await guard(() => api.requestUpdate(session.token, item.id, change));
      if (!alive || !updated) return;
      announce(t(`inbox.updated.${done}`));
      await reload({ focusId: item.id });
    } catch {
      if (alive) announce(t('inbox.updateFailed'));
    }
  }

  function openEditor(item, slot, opener) {
    if (slot.firstChild) {
      slot.querySelector('input')?.focus();
      return;
    }
    const inputId = `note-${item.id}`;
    const input = h('input', { id: inputId, class: 'field__input', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: String(STAFF_NOTE_MAX) });
    const close = () => {
      keyboard.close();
      slot.replaceChildren();
      opener.focus();
    };
    const save = async () => {
      const text = input.value.trim();
      if (!text) {
        input.focus();
        return;
      }
      keyboard.close();
      try {
        const updated = await guard(() => api.requestUpdate(session.token, item.id, { note: text }));
        if (!alive || !updated) return;
        announce(t('inbox.updated.note'));
        await reload({ focusId: item.id });
      } catch {
        if (alive) announce(t('inbox.updateFailed'));
      }
    };
    const keyboard = attachKeyboard(input, { layout: 'text', enterLabel: t('inbox.saveNote'), onEnter: save });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        save();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        close();
      }
    });
    slot.replaceChildren(
      h(
        'div',
        { class: 'note-editor' },
        h('label', { class: 'field__label', for: inputId }, t('inbox.noteLabel')),
        h('div', { class: 'field__row' }, input, keyboard.toggle),
        h(
          'div',
          { class: 'note-editor__actions' },
          h('button', { type: 'button', class: 'button button--primary', dataset: { test: 'note-save' }, onclick: save }, t('inbox.saveNote')),
          h('button', { type: 'button', class: 'button button--secondary', dataset: { test: 'note-cancel' }, onclick: close }, t('inbox.cancel')),
        ),
      ),
    );
    input.focus();
    keyboard.open();
  }

  /** Runs a staff command; a refused token ends the session here and shows the PIN screen. */
  async function guard(command) {
    try {
      return await command();
    } catch (error) {
      if (error?.kind === 'unauthorized') {
        if (alive) {
          dropSession('ended');
          reshow();
        }
        return null;
      }
      throw error;
    }
  }

  // ---------- export ----------

  // The CSV holds every patient's name and phone: it goes only to a folder staff choose
  // from what Rust offers (a USB drive, the configured export folder), never the kiosk's disk.
  const exportButton = h(
    'button',
    {
      type: 'button',
      class: 'button button--secondary',
      dataset: { test: 'export-csv' },
      onclick: async () => {
        exportButton.disabled = true;
        try {
          const folders = await guard(() => api.exportFolders(session.token));
          if (!alive || !folders) return;
          if (!folders.length) {
            exportResult.replaceChildren(icon('info'), h('span', {}, t('inbox.exportNoFolder')));
          } else {
            exportResult.replaceChildren(
              h('span', { id: 'export-choose' }, t('inbox.exportChoose')),
              h(
                'span',
                { class: 'export-folders', role: 'group', 'aria-labelledby': 'export-choose' },
                folders.map((folder) =>
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'button button--secondary',
                      dataset: { test: 'export-folder', kind: folder.kind },
                      onclick: () => exportTo(folder.path),
                    },
                    icon('download'),
                    `${folder.label} (${t(`inbox.exportKind.${folder.kind}`)})`,
                  ),
                ),
              ),
            );
          }
          exportResult.hidden = false;
        } catch {
          if (!alive) return;
          exportResult.replaceChildren(icon('info'), h('span', {}, t('inbox.exportFailed')));
          exportResult.hidden = false;
        } finally {
          exportButton.disabled = false;
        }
      },
    },
    icon('download'),
    t('inbox.exportCsv'),
  );

  async function exportTo(folder) {
    try {
      const result = await guard(() => api.exportCallbacks(session.token, folder));
      if (!alive || !result) return;
      exportResult.replaceChildren(
        icon('download'),
        h('span', {}, t('inbox.exported', { count: result.rows }), ' ', h('code', { class: 'path' }, result.path)),
      );
    } catch {
      if (!alive) return;
      exportResult.replaceChildren(icon('info'), h('span', {}, t('inbox.exportFailed')));
    }
    exportResult.hidden = false;
  }
  const exportResult = h('p', { class: 'export-result', role: 'status', dataset: { test: 'export-result' }, hidden: true });

  const lockButton = h(
    'button',
    { type: 'button', class: 'button button--primary', dataset: { test: 'staff-lock' }, onclick: () => lock('locked') },
    icon('lock'),
    t('inbox.lock'),
  );

  function lock(notice) {
    if (!alive) return;
    endSession();
    view.notice = notice;
    reshow();
  }

  // ---------- tabs ----------

  const admin = isAdmin();
  const tabs = [
    { id: 'requests', icon: 'inbox', label: t('inbox.tabRequests'), test: 'requests-tab' },
    { id: 'audit', icon: 'history', label: t('inbox.tabAudit'), test: 'audit-tab' },
    { id: 'lan', icon: 'link', label: t('lan.tab'), test: 'lan-tab' },
    { id: 'health', icon: 'info', label: t('health.tab'), test: 'health-tab' },
    admin ? { id: 'accounts', icon: 'users', label: t('accounts.tab'), test: 'accounts-tab' } : null,
  ].filter(Boolean);
  if (!tabs.some((tab) => tab.id === view.tab)) view.tab = 'requests';
  const tabButtons = tabs.map((tab) =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${tab.id}`,
        class: 'tab',
        'aria-controls': `panel-${tab.id}`,
        dataset: { test: tab.test, tab: tab.id },
        onclick: () => selectTab(tab.id),
        onkeydown: (event) => {
          const index = tabs.indexOf(tab);
          const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
          const to = step ? tabs[(index + step + tabs.length) % tabs.length] : event.key === 'Home' ? tabs[0] : event.key === 'End' ? tabs.at(-1) : null;
          if (!to) return;
          event.preventDefault();
          selectTab(to.id);
          document.getElementById(`tab-${to.id}`)?.focus();
        },
      },
      icon(tab.icon),
      tab.label,
    ),
  );

  const auditBody = h('div', { class: 'audit' });
  const requestsPanel = h(
    'div',
    { class: 'tab-panel', id: 'panel-requests', role: 'tabpanel', 'aria-labelledby': 'tab-requests' },
    h(
      'div',
      { class: 'inbox-toolbar' },
      h('span', { class: 'inbox-toolbar__label', id: 'inbox-filter-label' }, t('inbox.filterLabel')),
      h('div', { class: 'segmented segmented--wrap', role: 'group', 'aria-labelledby': 'inbox-filter-label' }, filterButtons),
    ),
    count,
    list,
  );
  const auditPanel = h('div', { class: 'tab-panel', id: 'panel-audit', role: 'tabpanel', 'aria-labelledby': 'tab-audit' }, auditBody);
  const health = healthPanel({ token: () => session.token, guard, isAlive: () => alive, when, mode: view.mode, isAdmin: admin });
  const healthTabPanel = h('div', { class: 'tab-panel', id: 'panel-health', role: 'tabpanel', 'aria-labelledby': 'tab-health' }, health.node);
  const lan = lanPanel({ token: () => session.token, guard, isAlive: () => alive, when, isAdmin: admin });
  const lanTabPanel = h('div', { class: 'tab-panel', id: 'panel-lan', role: 'tabpanel', 'aria-labelledby': 'tab-lan' }, lan.node);
  const accounts = admin
    ? accountsPanel({ token: () => session.token, guard, isAlive: () => alive, when, self: () => session.name, pinMin: view.pinMin })
    : null;
  const accountsTabPanel = accounts
    ? h('div', { class: 'tab-panel', id: 'panel-accounts', role: 'tabpanel', 'aria-labelledby': 'tab-accounts' }, accounts.node)
    : null;

  function selectTab(id) {
    view.tab = id;
    for (const button of tabButtons) {
      const selected = button.dataset.tab === id;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
    requestsPanel.hidden = id !== 'requests';
    auditPanel.hidden = id !== 'audit';
    healthTabPanel.hidden = id !== 'health';
    lanTabPanel.hidden = id !== 'lan';
    if (accountsTabPanel) accountsTabPanel.hidden = id !== 'accounts';
    if (id === 'audit') loadAudit();
    if (id === 'lan') lan.load();
    if (id === 'health') health.load();
    if (id === 'accounts') accounts.load();
  }

  async function loadAudit() {
    auditBody.setAttribute('aria-busy', 'true');
    try {
      const entries = await guard(() => api.auditList(session.token, 200));
      if (!alive || !entries) return;
      auditBody.replaceChildren(auditTable(entries));
    } catch {
      if (alive) auditBody.replaceChildren(h('p', { class: 'empty-note' }, t('inbox.auditFailed')));
    } finally {
      auditBody.removeAttribute('aria-busy');
    }
  }

  function auditTable(entries) {
    if (!entries.length) return h('p', { class: 'empty-note' }, t('inbox.auditEmpty'));
    const actionName = (action) => {
      const key = { unlock: 'unlock', 'unlock-failed': 'unlockFailed', lock: 'lock', status: 'status', note: 'note', export: 'export', 'staff-added': 'staffAdded', 'pin-changed': 'pinChanged', purge: 'purge', 'leave-kiosk': 'leaveKiosk', quit: 'quit', 'delivery-retry': 'deliveryRetry', 'pair-code': 'pairCode', pair: 'pair', unpair: 'unpair', 'content-import': 'contentImport', 'unlock-refused': 'unlockRefused', 'account-hard-locked': 'accountHardLocked', 'kiosk-hard-locked': 'kioskHardLocked', 'account-unlocked': 'accountUnlocked', 'kiosk-unlocked': 'kioskUnlocked', 'staff-removed': 'staffRemoved', 'role-admin-on-upgrade': 'roleAdminOnUpgrade' }[action];
      return key ? t(`inbox.audit.actions.${key}`) : action;
    };
    return h(
      'table',
      { class: 'audit-table', dataset: { test: 'audit-table' } },
      h('caption', { class: 'audit-table__caption' }, t('inbox.audit.caption')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['when', 'who', 'action', 'request', 'detail'].map((col) => h('th', { scope: 'col' }, t(`inbox.audit.${col}`))),
        ),
      ),
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

  // ---------- locking by itself ----------

  const warningText = h('span', {});
  const idleLeft = h('span', { 'aria-hidden': 'true' });
  const idleWarning = h(
    'div',
    { class: 'idle-warning', role: 'alert', dataset: { test: 'idle-warning' }, hidden: true },
    icon('lock'),
    h('p', {}, warningText, ' ', idleLeft),
  );
  /** Which warning shows: 'idle' (a touch keeps the view) or 'lifetime' (nothing does). */
  let warningKind = null;
  let lastActivity = Date.now();
  let lastKeepalive = Date.now();
  let keepaliveTimer = 0;
  let idleTimer = 0;
  let refreshTimer = 0;

  function showWarning(kind, left) {
    if (warningKind !== kind) {
      warningKind = kind;
      warningText.textContent = t(kind === 'lifetime' ? 'inbox.sessionEnding' : 'inbox.idleWarning');
      idleWarning.dataset.kind = kind;
    }
    idleLeft.textContent = t('staff.secondsLeft', { count: left });
    idleWarning.hidden = false;
  }

  function activity(event) {
    lastActivity = Date.now();
    if (warningKind === 'idle') {
      idleWarning.hidden = true;
      warningKind = null;
    }
    // A touch or a key is real use: tell Rust, at most every KEEPALIVE_MS, the last one
    // included (sent when the wait is over), so Rust's session outlives this view's timer.
    // The inbox's own refresh never gets here.
    if ((event.type === 'pointerdown' || event.type === 'keydown') && !keepaliveTimer) {
      const wait = lastKeepalive + KEEPALIVE_MS - lastActivity;
      if (wait <= 0) keepalive();
      else keepaliveTimer = setTimeout(keepalive, wait);
    }
  }

  async function keepalive() {
    keepaliveTimer = 0;
    lastKeepalive = Date.now();
    if (!alive || !session.token) return;
    try {
      const left = await guard(() => api.staffKeepalive(session.token));
      const secs = Number(left?.sessionSecsLeft);
      if (alive && Number.isFinite(secs) && secs >= 0) session.endsAt = Date.now() + secs * 1000;
    } catch {
      // The next touch tries again; a refused session shows the PIN screen through guard().
    }
  }

  function checkIdle() {
    // The session's whole lifetime is over: Rust refuses it now, whatever the use.
    if (session.endsAt) {
      const lifeLeft = Math.ceil((session.endsAt - Date.now()) / 1000);
      if (lifeLeft <= 0) {
        lock('ended');
        return;
      }
      if (lifeLeft <= WARN_SECS) {
        showWarning('lifetime', lifeLeft);
        return;
      }
    }
    const left = Math.ceil((lastActivity + view.lockSeconds * 1000 - Date.now()) / 1000);
    if (left <= 0) {
      lock('idle');
      return;
    }
    if (left <= WARN_SECS) showWarning('idle', left);
  }
  const ACTIVITY = ['pointerdown', 'keydown', 'input', 'wheel'];

  // ---------- the screen ----------

  drawList();
  const node = h(
    'div',
    { class: 'inbox' },
    h(
      'div',
      { class: 'inbox-head' },
      pageHead('inbox', t('inbox.title'), t('inbox.signedInAs', { name: session.name ?? '', role: t(`accounts.roles.${admin ? 'admin' : 'frontDesk'}`) })),
      h('div', { class: 'inbox-head__actions' }, exportButton, lockButton),
    ),
    idleWarning,
    exportResult,
    status,
    h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('inbox.title') }, tabButtons),
    requestsPanel,
    auditPanel,
    lanTabPanel,
    healthTabPanel,
    accountsTabPanel,
  );
  selectTab(view.tab);

  return {
    screen: 'inbox',
    title: t('inbox.title'),
    node,
    afterMount: () => {
      for (const type of ACTIVITY) document.addEventListener(type, activity, { capture: true, passive: true });
      idleTimer = setInterval(checkIdle, 1000);
      refreshTimer = setInterval(refreshQuietly, REFRESH_MS);
    },
    onLeave: (next) => {
      alive = false;
      clearInterval(idleTimer);
      clearInterval(refreshTimer);
      clearTimeout(keepaliveTimer);
      for (const type of ACTIVITY) document.removeEventListener(type, activity, { capture: true });
      items = [];
      list.replaceChildren();
      auditBody.replaceChildren();
      health.node.replaceChildren();
      lan.stop();
      lan.node.replaceChildren();
      accounts?.node.replaceChildren();
      exportResult.replaceChildren();
      leaving(next);
    },
  };
}
