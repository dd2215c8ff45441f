// @ts-check
// The staff view once unlocked: its heading (who is signed in, Export, Lock), and the tabs:
// Requests (staff-requests.js), Activity (staff-audit.js), Front desk link (staff-lan.js),
// Kiosk health (staff-health.js) and, for admins, Staff accounts (staff-accounts.js). The view
// keeps its list current, and locks itself when unused (staff-lock.js).

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, getLang } from '../i18n.js';
import * as api from '../api.js';
import { session, view, isAdmin, endSession, dropSession, reshow, leaving, pageHead } from './staff-session.js';
import { requestsPanel } from './staff-requests.js';
import { auditPanel } from './staff-audit.js';
import { exportControls } from './staff-export.js';
import { selfLock } from './staff-lock.js';
import { healthPanel } from './staff-health.js';
import { lanPanel } from './staff-lan.js';
import { accountsPanel } from './staff-accounts.js';

/** The inbox looks for new requests and delivery changes this often. */
const REFRESH_MS = 5_000;

/**
 * What every panel of the staff view is given.
 * @typedef {object} PanelDeps
 * @property {() => string | null} token the session's token
 * @property {<T>(command: () => Promise<T>) => Promise<T | null>} guard runs a staff command; a refused token ends the session (null)
 * @property {() => boolean} isAlive false once the staff view has gone
 * @property {(ms: number) => string} when a date and time in the screen's language
 */

/**
 * A tab of the inbox: its panel and what selecting it does.
 * @typedef {{ id: string, icon: string, label: string, test: string, panel: HTMLElement, load?: () => void }} Tab
 */

/** The inbox, or null when Rust no longer knows the session (the PIN screen comes instead). */
export async function renderInbox() {
  const token = session.token;
  const lang = getLang();
  let loaded;
  try {
    loaded = await Promise.all([api.callbackConfig(lang).catch(() => null), api.listTopics(lang).catch(() => []), api.inboxList(token, view.filter)]);
  } catch (error) {
    if (/** @type {Partial<api.ApiError> | undefined} */ (error)?.kind === 'unauthorized') {
      dropSession('ended');
      return null;
    }
    throw error;
  }
  if (token !== session.token) return null;
  const [config, topics, items] = loaded;
  let alive = true;
  const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  /** @type {PanelDeps} */
  const deps = { token: () => session.token, guard, isAlive: () => alive, when: (ms) => dateTime.format(new Date(Number(ms))) };

  /** @type {PanelDeps['guard']} */
  async function guard(command) {
    try {
      return await command();
    } catch (error) {
      if (/** @type {Partial<api.ApiError> | undefined} */ (error)?.kind !== 'unauthorized') throw error;
      if (alive) {
        dropSession('ended');
        reshow();
      }
      return null;
    }
  }

  /** @param {string} notice why the PIN screen is back */
  function lock(notice) {
    if (!alive) return;
    endSession();
    view.notice = notice;
    reshow();
  }

  const { status, announce } = statusLine(() => alive);
  const requests = requestsPanel({ ...deps, announce, names: namesOf(config, topics), items });
  const exports = exportControls(deps);
  const selfLocking = selfLock({ lock, guard, isAlive: () => alive });
  const panels = tabPanels(deps, requests.nodes);
  let refreshTimer = 0;

  const node = h(
    'div',
    { class: 'inbox' },
    h(
      'div',
      { class: 'inbox-head' },
      pageHead('inbox', t('inbox.title'), t('inbox.signedInAs', { name: session.name ?? '', role: t(`accounts.roles.${isAdmin() ? 'admin' : 'frontDesk'}`) })),
      h('div', { class: 'inbox-head__actions' }, exports.button, lockButton(() => lock('locked'))),
    ),
    selfLocking.node,
    exports.result,
    status,
    panels.nodes,
  );
  return {
    screen: 'inbox',
    title: t('inbox.title'),
    node,
    afterMount: () => {
      selfLocking.start();
      refreshTimer = setInterval(requests.refreshQuietly, REFRESH_MS);
    },
    onLeave: (/** @type {string} */ next) => {
      alive = false;
      selfLocking.stop();
      clearInterval(refreshTimer);
      requests.clear();
      panels.clear();
      exports.result.replaceChildren();
      leaving(next);
    },
  };
}

/**
 * The line that says what a staff action did, read out by screen readers.
 * @param {() => boolean} isAlive
 */
function statusLine(isAlive) {
  const status = h('p', { class: 'inbox-status', role: 'status', dataset: { test: 'inbox-status' } });
  /** @param {string} text said once, after the list has changed */
  const announce = (text) => {
    status.textContent = '';
    setTimeout(() => {
      if (isAlive()) status.textContent = text;
    }, 60);
  };
  return { status, announce };
}

/**
 * Names for the codes a request holds, from callback_config and list_topics.
 * @param {any} config
 * @param {{ slug: string, name: string }[] | null} topics
 * @returns {import('./staff-requests.js').Names}
 */
function namesOf(config, topics) {
  return {
    slot: new Map((config?.slots ?? []).map((/** @type {{ id: string, label: string }} */ slot) => [slot.id, slot.label])),
    specialty: new Map((config?.specialties ?? []).map((/** @type {{ slug: string, name: string }} */ s) => [s.slug, s.name])),
    topic: new Map((topics ?? []).map((topic) => [topic.slug, topic.name])),
  };
}

/** @param {() => void} onLock */
function lockButton(onLock) {
  return h('button', { type: 'button', class: 'button button--primary', dataset: { test: 'staff-lock' }, onclick: onLock }, icon('lock'), t('inbox.lock'));
}

/**
 * The tabs and their panels; admins also get Staff accounts.
 * @param {PanelDeps} deps
 * @param {HTMLElement[]} requestsNodes the Requests tab's content
 */
function tabPanels(deps, requestsNodes) {
  const admin = isAdmin();
  const audit = auditPanel(deps);
  const health = healthPanel({ ...deps, mode: view.mode, isAdmin: admin });
  const lan = lanPanel({ ...deps, isAdmin: admin });
  const accounts = admin ? accountsPanel({ ...deps, self: () => session.name, pinMin: view.pinMin }) : null;
  /** @type {(Tab | null)[]} */
  const all = [
    { id: 'requests', icon: 'inbox', label: t('inbox.tabRequests'), test: 'requests-tab', panel: panel('requests', requestsNodes) },
    { id: 'audit', icon: 'history', label: t('inbox.tabAudit'), test: 'audit-tab', panel: panel('audit', audit.node), load: audit.load },
    { id: 'lan', icon: 'link', label: t('lan.tab'), test: 'lan-tab', panel: panel('lan', lan.node), load: lan.load },
    { id: 'health', icon: 'info', label: t('health.tab'), test: 'health-tab', panel: panel('health', health.node), load: health.load },
    accounts ? { id: 'accounts', icon: 'users', label: t('accounts.tab'), test: 'accounts-tab', panel: panel('accounts', accounts.node), load: accounts.load } : null,
  ];
  const tabs = /** @type {Tab[]} */ (all.filter(Boolean));
  if (!tabs.some((tab) => tab.id === view.tab)) view.tab = 'requests';
  const buttons = tabs.map((tab) => tabButton(tab, tabs, select));

  /** @param {string} id */
  function select(id) {
    view.tab = id;
    for (const button of buttons) {
      const selected = button.dataset.tab === id;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
    for (const tab of tabs) tab.panel.hidden = tab.id !== id;
    tabs.find((tab) => tab.id === id)?.load?.();
  }

  const nodes = [h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('inbox.title') }, buttons), ...tabs.map((tab) => tab.panel)];
  select(view.tab);
  return {
    nodes,
    /** Drops what the panels show (patient details, staff names). */
    clear() {
      audit.node.replaceChildren();
      health.node.replaceChildren();
      lan.stop();
      lan.node.replaceChildren();
      accounts?.node.replaceChildren();
    },
  };
}

/**
 * @param {string} id
 * @param {import('../dom.js').Child} content
 */
function panel(id, content) {
  return h('div', { class: 'tab-panel', id: `panel-${id}`, role: 'tabpanel', 'aria-labelledby': `tab-${id}` }, content);
}

/**
 * A tab's button; the arrow keys, Home and End move between tabs.
 * @param {Tab} tab
 * @param {Tab[]} tabs
 * @param {(id: string) => void} select
 */
function tabButton(tab, tabs, select) {
  return h(
    'button',
    {
      type: 'button',
      role: 'tab',
      id: `tab-${tab.id}`,
      class: 'tab',
      'aria-controls': `panel-${tab.id}`,
      dataset: { test: tab.test, tab: tab.id },
      onclick: () => select(tab.id),
      onkeydown: (/** @type {KeyboardEvent} */ event) => {
        const index = tabs.indexOf(tab);
        const step = /** @type {Record<string, number>} */ ({ ArrowRight: 1, ArrowLeft: -1 })[event.key];
        const to = step ? tabs[(index + step + tabs.length) % tabs.length] : event.key === 'Home' ? tabs[0] : event.key === 'End' ? tabs.at(-1) : null;
        if (!to) return;
        event.preventDefault();
        select(to.id);
        document.getElementById(`tab-${to.id}`)?.focus();
      },
    },
    icon(tab.icon),
    tab.label,
  );
}
