// @ts-check
// The staff view's "Kiosk health" tab: is this kiosk well? Versions, the article library,
// database sizes, the delivery queue, free disk, settings problems, anonymous use; and, for
// admins, article updates and, on a kiosk, the ways out of kiosk mode (leave it for this run,
// or close the app). Front-desk accounts see the facts only.

import { h, append } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { failure } from './staff-accounts.js';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/**
 * 1536 -> "1.5 KB" in the current language's number format.
 * @param {unknown} n
 */
export function bytes(n) {
  if (n == null || !Number.isFinite(Number(n))) return '—';
  let value = Number(n);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toLocaleString(document.documentElement.lang, { maximumFractionDigits: unit === 0 ? 0 : 1 })} ${UNITS[unit]}`;
}

/**
 * What staff must know about the kiosk's own storage (issue #16): a full or nearly full disk
 * (callback requests cannot be saved), and a kiosk.db found damaged at start and replaced.
 * @param {any} health staff_health's answer
 * @param {(ms: number) => string} when a formatted date and time
 * @returns {(HTMLElement | null)[]}
 */
function storageNotices(health, when) {
  const disk = health.disk === 'full' || health.disk === 'low' ? health.disk : null;
  const recovered = health.kioskRecovered;
  return [
    disk
      ? h('div', { class: 'idle-warning', role: 'alert', dataset: { test: 'health-disk-warning', disk } }, icon('alert'), h('p', {}, t(disk === 'full' ? 'health.diskFull' : 'health.diskLow')))
      : null,
    recovered
      ? h(
          'div',
          { class: 'idle-warning', role: 'alert', dataset: { test: 'health-kiosk-recovered' } },
          icon('alert'),
          h('p', {}, t('health.kioskRecovered', { count: recovered.requests, when: when(recovered.at), file: recovered.keptAs })),
        )
      : null,
  ];
}

/**
 * @param {import('./staff-inbox.js').PanelDeps & { mode: string, isAdmin?: boolean }} deps
 *   token(): the session token; guard(fn): runs a staff command, ending the session if refused;
 *   isAlive(): false once the staff view has gone; when(ms): a formatted date and time;
 *   mode: the app's mode ('kiosk' shows the ways out of kiosk mode);
 *   isAdmin: an admin's session (only admins see updates and the ways out).
 * @returns {{ node: HTMLElement, load(): Promise<void> }}
 */
// eslint-disable-next-line max-lines-per-function -- A staff panel's factory: its inner functions (facts, usage tables, packs, the ways out) share the panel's state. Not split yet (issue #12).
export function healthPanel({ token, guard, isAlive, when, mode, isAdmin = false }) {
  // staff_health's and content_packs' answers are Rust's (docs/ipc.md): read as they come.
  const body = h('div', { class: 'health', dataset: { test: 'health' } });
  const status = h('p', { class: 'inbox-status', role: 'status' });

  /**
   * @param {string} label
   * @param {import('../dom.js').Child} value
   * @param {string} test
   */
  function fact(label, value, test) {
    return h('div', { class: 'health__fact', dataset: { test } }, h('dt', {}, label), h('dd', {}, value));
  }

  /**
   * @param {string} caption
   * @param {string[]} columns
   * @param {unknown[][]} rows
   * @param {string} empty what the table says with no rows
   * @param {string} test
   */
  function usageTable(caption, columns, rows, empty, test) {
    if (!rows.length) return h('div', {}, h('h3', { class: 'health__section-title' }, caption), h('p', { class: 'empty-note' }, empty));
    return h(
      'table',
      { class: 'audit-table', dataset: { test } },
      h('caption', { class: 'audit-table__caption' }, caption),
      h('thead', {}, h('tr', {}, columns.map((col) => h('th', { scope: 'col' }, col)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, String(cell)))))),
    );
  }

  /** @param {any} health staff_health's answer */
  function draw(health) {
    const problems = health.configProblems ?? [];
    const usage = health.usage ?? { views: [], misses: [] };
    body.replaceChildren();
    append(body, [
      h(
        'dl',
        { class: 'health__facts' },
        fact(t('health.app'), health.appVersion, 'health-app'),
        fact(t('health.mode'), health.mode, 'health-mode'),
        fact(t('health.content'), health.contentVersion ?? '—', 'health-content'),
        fact(t('health.articles'), health.articleCount ?? '—', 'health-articles'),
        fact(t('health.library'), bytes(health.libraryBytes), 'health-library'),
        fact(t('health.kiosk'), bytes(health.kioskBytes), 'health-kiosk'),
        fact(
          t('health.destinations'),
          health.destinations?.length ? health.destinations.join(', ') : t('health.noDestinations'),
          'health-destinations',
        ),
        fact(t('health.queue'), health.queueLength ?? '—', 'health-queue'),
        fact(t('health.failedDeliveries'), health.failedDeliveries ?? '—', 'health-failed'),
        fact(t('health.oldestWaiting'), health.oldestWaiting ? when(health.oldestWaiting) : '—', 'health-oldest'),
        fact(t('health.lastDelivery'), health.lastDelivery ? when(health.lastDelivery) : t('health.never'), 'health-last-delivery'),
        fact(t('health.freeDisk'), bytes(health.freeDiskBytes), 'health-disk'),
        fact(t('health.encryption'), t(`health.encryptionState.${health.dataEncryption ?? 'unknown'}`), 'health-encryption'),
      ),
      ...storageNotices(health, when),
      health.libraryProblem
        ? h('div', { class: 'idle-warning' }, icon('alert'), h('p', {}, t('health.libraryProblem'), ': ', health.libraryProblem))
        : null,
      health.contentProblem
        ? h('div', { class: 'idle-warning', dataset: { test: 'health-content-problem' } }, icon('alert'), h('p', {}, health.contentProblem))
        : null,
      health.erasedUndelivered > 0
        ? h('div', { class: 'idle-warning', dataset: { test: 'health-erased-undelivered' } }, icon('alert'), h('p', {}, t('health.erasedUndelivered', { count: health.erasedUndelivered })))
        : null,
      problems.length
        ? h(
            'div',
            { class: 'idle-warning', dataset: { test: 'health-config-problems' } },
            icon('alert'),
            h('div', {}, h('p', {}, t('health.configProblems')), h('ul', { class: 'health__problems' }, problems.map((/** @type {string} */ p) => h('li', {}, h('code', {}, p))))),
          )
        : h('p', { class: 'health__ok' }, icon('check'), ' ', t('health.configOk')),
      h('h2', { class: 'health__section-title' }, t('health.usageTitle')),
      h(
        'div',
        { class: 'health__tables' },
        usageTable(t('health.views'), [t('health.articleCol'), t('health.timesCol')], usage.views, t('health.viewsEmpty'), 'health-views'),
        usageTable(
          t('health.misses'),
          [t('health.wordsCol'), t('health.timesCol')],
          usage.misses.map((/** @type {[string, string, number]} */ [lang, words, n]) => [`${words} (${lang})`, n]),
          t('health.missesEmpty'),
          'health-misses',
        ),
      ),
      isAdmin ? updates : h('p', { class: 'health__note', dataset: { test: 'health-admin-note' } }, icon('info'), h('span', {}, t('health.adminOnly'))),
      isAdmin && mode === 'kiosk' ? kioskControls() : null,
      status,
    ]);
    // Awaited by load(), so what follows it (an install's "Installed") sees the packs redrawn.
    return isAdmin ? loadPacks() : null;
  }

  // ---------- article updates (signed content packs) ----------

  const updates = h('section', { class: 'health__updates', 'aria-labelledby': 'health-updates-title', dataset: { test: 'packs' } });

  /** @param {any} view content_packs' answer */
  function drawPacks(view) {
    updates.replaceChildren();
    append(updates, [
      h('h2', { class: 'health__section-title', id: 'health-updates-title' }, t('packs.title')),
      h('p', { dataset: { test: 'packs-installed' } }, view.installed ? t('packs.installed', { version: view.installed }) : t('packs.shipped')),
      view.packs.length
        ? h(
            'ul',
            { class: 'lan__kiosks', role: 'list' },
            view.packs.map((/** @type {any} */ p) =>
              h(
                'li',
                { class: 'lan__kiosk', dataset: { test: 'pack', state: p.state, name: p.name } },
                icon(p.state === 'ready' ? 'download' : 'info'),
                h(
                  'span',
                  {},
                  h('strong', {}, p.name),
                  ' ',
                  p.version ? t('packs.version', { version: p.version }) : '',
                  ' ',
                  t(`packs.state.${p.state}`) || p.state,
                ),
                p.state === 'ready'
                  ? h(
                      'button',
                      {
                        type: 'button',
                        class: 'button button--primary button--small',
                        dataset: { test: 'pack-import' },
                        onclick: (/** @type {MouseEvent} */ event) => importPack(p, /** @type {HTMLButtonElement} */ (event.currentTarget)),
                      },
                      icon('download'),
                      t('packs.import'),
                    )
                  : null,
              ),
            ),
          )
        : h('p', { class: 'empty-note' }, t('packs.none')),
    ]);
  }

  async function loadPacks() {
    try {
      const view = await guard(() => api.contentPacks(token()));
      if (view && isAlive()) drawPacks(view);
    } catch (error) {
      if (isAlive()) updates.replaceChildren(h('p', { class: 'empty-note' }, failure(error, 'packs.failed')));
    }
  }

  /**
   * @param {{ path: string, [key: string]: any }} p a pack content_packs found
   * @param {HTMLButtonElement} button
   */
  async function importPack(p, button) {
    button.disabled = true;
    status.textContent = t('packs.importing');
    try {
      const result = await guard(() => api.contentImport(token(), p.path));
      if (!result || !isAlive()) return;
      if (result.outcome === 'installed') {
        await load();
        status.textContent = t('packs.done', { count: result.articleCount ?? 0 });
      } else {
        drawPacks(result.packs);
        status.textContent = t(`packs.state.${result.outcome}`) || t('packs.failed');
      }
    } catch (error) {
      if (isAlive()) status.textContent = failure(error, 'packs.failed');
    } finally {
      button.disabled = false;
    }
  }

  function kioskControls() {
    const leave = h(
      'button',
      {
        type: 'button',
        class: 'button button--secondary',
        dataset: { test: 'leave-kiosk' },
        onclick: async () => {
          leave.disabled = true;
          try {
            // guard() answers null when the session was refused; the command itself returns nothing.
            const done = await guard(async () => {
              await api.staffLeaveKiosk(token());
              return true;
            });
            if (done && isAlive()) status.textContent = t('health.leftKiosk');
          } catch (error) {
            if (isAlive()) status.textContent = failure(error, 'health.actionFailed');
          } finally {
            leave.disabled = false;
          }
        },
      },
      icon('close'),
      t('health.leaveKiosk'),
    );
    const confirm = h(
      'div',
      { class: 'health__action', hidden: true, role: 'group', 'aria-label': t('health.quit') },
      h('p', {}, t('health.quitConfirm')),
      h(
        'button',
        {
          type: 'button',
          class: 'button button--primary',
          dataset: { test: 'quit-confirm' },
          onclick: async () => {
            try {
              await guard(() => api.staffQuit(token()));
            } catch (error) {
              if (isAlive()) status.textContent = failure(error, 'health.actionFailed');
            }
          },
        },
        t('health.quitYes'),
      ),
    );
    const quit = h(
      'button',
      {
        type: 'button',
        class: 'button button--secondary',
        dataset: { test: 'quit' },
        'aria-expanded': 'false',
        onclick: () => {
          confirm.hidden = !confirm.hidden;
          quit.setAttribute('aria-expanded', String(!confirm.hidden));
        },
      },
      icon('lock'),
      t('health.quit'),
    );
    return h(
      'section',
      { 'aria-labelledby': 'health-kiosk-title' },
      h('h2', { class: 'health__section-title', id: 'health-kiosk-title' }, t('health.kioskTitle')),
      h(
        'div',
        { class: 'health__kiosk' },
        h('div', { class: 'health__action' }, leave, h('p', {}, t('health.leaveKioskHelp'))),
        h('div', { class: 'health__action' }, quit, h('p', {}, t('health.quitHelp')), confirm),
      ),
    );
  }

  async function load() {
    body.setAttribute('aria-busy', 'true');
    try {
      const health = await guard(() => api.staffHealth(token()));
      if (!isAlive() || !health) return;
      await draw(health);
    } catch {
      if (isAlive()) body.replaceChildren(h('p', { class: 'empty-note' }, t('health.failed')));
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  return { node: body, load };
}
