// @ts-check
// The staff view's "Requests" tab, the callback inbox: the requests by status, each with the
// patient's details, notes, where it was delivered, and what staff can do with it (mark it
// contacted, not answered or closed, reopen it, add a note, retry a delivery).

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { attach as attachKeyboard, closeKeyboard } from '../components/keyboard.js';
import { view } from './staff-session.js';

const FILTERS = ['open', 'new', 'noAnswer', 'contacted', 'closed', 'all'];
const STATUSES = ['new', 'noAnswer', 'contacted', 'closed'];
const STAFF_NOTE_MAX = 500;

/**
 * A request as inbox_list gives it (docs/ipc.md).
 * @typedef {object} InboxItem
 * @property {string} id
 * @property {string} status
 * @property {string} name
 * @property {string} phoneDisplay
 * @property {number} createdAt
 * @property {string} bestTime
 * @property {string} language
 * @property {string} specialty
 * @property {string | null} [topic]
 * @property {string | null} [article]
 * @property {string | null} [fromKiosk]
 * @property {string | null} [note]
 * @property {{ staff: string, at: number, text: string }[]} [notes]
 * @property {{ destination: string, state: string, reason?: string | null, deliveredAt?: number, nextAttemptAt?: number }[]} [deliveries]
 */

/**
 * Names for the codes a request holds, in the screen's language.
 * @typedef {{ slot: Map<string, string>, specialty: Map<string, string>, topic: Map<string, string> }} Names
 */

/**
 * What a request's card does, for its buttons.
 * @typedef {object} CardActions
 * @property {(item: InboxItem, change: { status?: string, note?: string }, done: string) => Promise<void>} update
 * @property {(item: InboxItem, destination: string) => Promise<void>} retryDelivery
 */

/** @typedef {CardActions & { when: (ms: number) => string, names: Names }} CardContext */

/**
 * @param {import('./staff-inbox.js').PanelDeps & { announce: (text: string) => void, names: Names, items: InboxItem[] }} deps
 */
export function requestsPanel({ token, guard, isAlive, when, announce, names, items: first }) {
  let items = first;
  const count = h('p', { class: 'inbox-count', id: 'inbox-count', tabindex: '-1' });
  const list = h('ul', { class: 'inbox-list', role: 'list', 'aria-labelledby': 'inbox-count' });
  /** @type {CardContext} */
  const card = { when, names, update, retryDelivery };

  function draw() {
    closeKeyboard();
    count.textContent = items.length ? t('inbox.count', { count: items.length }) : t(view.filter === 'open' ? 'inbox.emptyOpen' : 'inbox.empty');
    count.classList.toggle('is-empty', !items.length);
    list.replaceChildren(...items.map((item) => requestCard(item, card)));
  }

  /** @param {{ focusId?: string | null }} [options] the request whose name gets focus after */
  async function reload({ focusId = null } = {}) {
    list.setAttribute('aria-busy', 'true');
    try {
      const fresh = await guard(() => api.inboxList(token(), view.filter));
      if (!isAlive() || !fresh) return;
      items = fresh;
      draw();
      const again = focusId && list.querySelector(`[data-id="${CSS.escape(focusId)}"] .request__name`);
      if (again instanceof HTMLElement) again.focus({ preventScroll: false });
      else if (focusId) count.focus();
    } catch {
      if (isAlive()) announce(t('inbox.loadFailed'));
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  /** Staff are busy in the list: a note is being written. */
  const inUse = () => Boolean(list.querySelector('.request__editor > *'));

  /**
   * Keeps the list current (new requests, delivery states) without disturbing staff: only
   * when the requests tab shows, no note is being written, and something changed. Focus in
   * the list stays on the same control of the same request (or its name, when the control is
   * gone, as a retry button is once the request is delivered): staff who press *Send again*
   * keep focus there and still see the delivery land.
   */
  async function refreshQuietly() {
    if (!isAlive() || view.tab !== 'requests' || list.getAttribute('aria-busy') === 'true' || inUse()) return;
    try {
      const fresh = await guard(() => api.inboxList(token(), view.filter));
      if (!isAlive() || !fresh || JSON.stringify(fresh) === JSON.stringify(items) || inUse()) return;
      const focus = focusPlace(list);
      items = fresh;
      draw();
      if (focus) restoreFocus(list, focus);
    } catch {
      // The next refresh or a staff action tries again.
    }
  }

  /** @type {CardActions['update']} */
  async function update(item, change, done) {
    try {
      const updated = await guard(() => api.requestUpdate(token(), item.id, change));
      if (!isAlive() || !updated) return;
      announce(t(`inbox.updated.${done}`));
      await reload({ focusId: item.id });
    } catch {
      if (isAlive()) announce(t('inbox.updateFailed'));
    }
  }

  /** @type {CardActions['retryDelivery']} */
  async function retryDelivery(item, destination) {
    try {
      const updated = await guard(() => api.deliveryRetry(token(), item.id, destination));
      if (!isAlive() || !updated) return;
      announce(t('inbox.delivery.retrying', { destination }));
      await reload({ focusId: item.id });
    } catch {
      if (isAlive()) announce(t('inbox.updateFailed'));
    }
  }

  const toolbar = filterBar(() => reload());
  draw();
  return {
    nodes: [toolbar, count, list],
    refreshQuietly,
    /** Drops every patient detail on screen and in memory. */
    clear() {
      items = [];
      list.replaceChildren();
    },
  };
}

/**
 * Which requests the list shows (view.filter): open ones, one status, or all.
 * @param {() => void} onChange
 */
function filterBar(onChange) {
  const buttons = FILTERS.map((filter) =>
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
          for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.filter === filter));
          onChange();
        },
      },
      t(`inbox.filter.${filter}`),
    ),
  );
  return h(
    'div',
    { class: 'inbox-toolbar' },
    h('span', { class: 'inbox-toolbar__label', id: 'inbox-filter-label' }, t('inbox.filterLabel')),
    h('div', { class: 'segmented segmented--wrap', role: 'group', 'aria-labelledby': 'inbox-filter-label' }, buttons),
  );
}

/**
 * @param {InboxItem} item
 * @param {CardContext} ctx
 */
function requestCard(item, ctx) {
  const { names, when } = ctx;
  const headingId = `request-${item.id}`;
  const statusName = STATUSES.includes(item.status) ? item.status : 'new';
  const details = /** @type {[string, string][]} */ (
    [
      ['bestTime', names.slot.get(item.bestTime) ?? item.bestTime],
      ['language', t(`languageNames.${item.language}`) || item.language],
      ['specialty', names.specialty.get(item.specialty) ?? item.specialty],
      item.topic ? ['topic', names.topic.get(item.topic) ?? item.topic] : null,
      item.article ? ['article', item.article] : null,
      item.fromKiosk ? ['fromKiosk', item.fromKiosk] : null,
    ].filter(Boolean)
  );
  const editorSlot = h('div', { class: 'request__editor' });
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
      notes(item, when),
      deliveries(item, ctx),
      actions(item, statusName, editorSlot, ctx),
      editorSlot,
    ),
  );
}

/**
 * Where focus is in the list, in terms that survive a redraw: the request's id, the focused
 * control's `data-test` and its delivery's destination. `null` when focus is elsewhere.
 * @param {HTMLElement} list
 * @returns {{ id: string, test: string | null, destination: string | null } | null}
 */
function focusPlace(list) {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || !list.contains(active)) return null;
  const card = active.closest('[data-id]');
  if (!(card instanceof HTMLElement) || !card.dataset.id) return null;
  return {
    id: card.dataset.id,
    test: active.dataset.test ?? null,
    destination: active.closest('[data-destination]')?.getAttribute('data-destination') ?? null,
  };
}

/**
 * Puts focus back on the same control after a redraw, or on the request's name when that
 * control is gone, or on nothing in the list when the request is gone (the list's count).
 * @param {HTMLElement} list
 * @param {{ id: string, test: string | null, destination: string | null }} place
 */
function restoreFocus(list, place) {
  const card = list.querySelector(`[data-id="${CSS.escape(place.id)}"]`);
  if (!card) {
    document.getElementById('inbox-count')?.focus();
    return;
  }
  const scope = place.destination ? card.querySelector(`[data-destination="${CSS.escape(place.destination)}"]`) : card;
  const same = place.test ? scope?.querySelector(`[data-test="${CSS.escape(place.test)}"]`) : null;
  const target = same ?? card.querySelector('.request__name');
  if (target instanceof HTMLElement) target.focus({ preventScroll: true });
}

/**
 * The patient's note and the staff's notes.
 * @param {InboxItem} item
 * @param {(ms: number) => string} when
 */
function notes(item, when) {
  return [
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
  ];
}

/**
 * Where the request is at each of the clinic's destinations, with a retry when it failed.
 * @param {InboxItem} item
 * @param {CardContext} ctx
 */
function deliveries(item, { when, retryDelivery }) {
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
            ? t('inbox.delivery.delivered', { time: when(Number(d.deliveredAt)) })
            : state === 'failed'
              ? t('inbox.delivery.failed', { reason: d.reason ?? '' })
              : d.reason
                ? t('inbox.delivery.waitingWhy', { time: when(Number(d.nextAttemptAt)), reason: d.reason })
                : t('inbox.delivery.waiting', { time: when(Number(d.nextAttemptAt)) });
        return h(
          'li',
          { class: ['delivery', `delivery--${state}`], dataset: { test: 'delivery', destination: d.destination, state } },
          icon(state === 'delivered' ? 'check' : state === 'failed' ? 'alert' : 'clock'),
          h('span', {}, h('strong', {}, d.destination), ': ', text),
          state === 'delivered'
            ? null
            : h(
                'button',
                { type: 'button', class: 'button button--secondary button--small', dataset: { test: 'delivery-retry' }, onclick: () => retryDelivery(item, d.destination) },
                icon('retry'),
                t('inbox.delivery.retry'),
              ),
        );
      }),
    ),
  );
}

/**
 * A request's buttons: its next statuses, and a note.
 * @param {InboxItem} item
 * @param {string} statusName
 * @param {HTMLElement} editorSlot where the note editor opens
 * @param {CardContext} ctx
 */
function actions(item, statusName, editorSlot, ctx) {
  const { update } = ctx;
  return h(
    'div',
    { class: 'request__actions' },
    statusName === 'closed'
      ? action('reopen', 'retry', () => update(item, { status: 'new' }, 'new'))
      : [
          action('mark-contacted', 'check', () => update(item, { status: 'contacted' }, 'contacted'), statusName === 'contacted'),
          action('mark-no-answer', 'retry', () => update(item, { status: 'noAnswer' }, 'noAnswer'), statusName === 'noAnswer'),
          action('mark-closed', 'archive', () => update(item, { status: 'closed' }, 'closed')),
        ],
    action('add-note', 'pencil', (event) => noteEditor(item, editorSlot, /** @type {HTMLElement} */ (event.currentTarget), ctx)),
  );
}

/**
 * @param {string} test
 * @param {string} iconName
 * @param {(event: MouseEvent) => void} onclick
 * @param {boolean} [current] the request has this status already
 */
function action(test, iconName, onclick, current = false) {
  const key = /** @type {Record<string, string>} */ ({ 'mark-contacted': 'markContacted', 'mark-no-answer': 'markNoAnswer', 'mark-closed': 'markClosed', 'add-note': 'addNote', reopen: 'reopen' })[test];
  return h(
    'button',
    { type: 'button', class: ['button', 'button--secondary', 'request__action'], dataset: { test }, disabled: current, onclick },
    icon(iconName),
    t(`inbox.${key}`),
  );
}

/**
 * Opens the editor for a staff note under the request (or focuses it, when open).
 * @param {InboxItem} item
 * @param {HTMLElement} slot
 * @param {HTMLElement} opener focused again when the editor closes
 * @param {{ update: CardActions['update'] }} ctx
 */
function noteEditor(item, slot, opener, { update }) {
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
    await update(item, { note: text }, 'note');
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
