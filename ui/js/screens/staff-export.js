// @ts-check
// Exporting the callback requests as CSV. The file holds every patient's name and phone: it
// goes only to a folder staff choose from what Rust offers (a USB drive, the configured export
// folder), never the kiosk's disk.

import { h, append } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import * as api from '../api.js';

/**
 * @typedef {object} ExportFolder
 * @property {string} path
 * @property {string} label
 * @property {string} kind
 */

/**
 * The Export button and the line that says where the file went.
 * @param {import('./staff-inbox.js').PanelDeps} deps
 * @returns {{ button: HTMLButtonElement, result: HTMLElement }}
 */
export function exportControls({ token, guard, isAlive }) {
  const result = h('p', { class: 'export-result', role: 'status', dataset: { test: 'export-result' }, hidden: true });

  /** @param {...import('../dom.js').Child} parts */
  function show(...parts) {
    result.replaceChildren();
    append(result, parts);
    result.hidden = false;
  }

  /** @param {string} folder */
  async function exportTo(folder) {
    try {
      const written = await guard(() => api.exportCallbacks(token(), folder));
      if (!isAlive() || !written) return;
      show(icon('download'), h('span', {}, t('inbox.exported', { count: written.rows }), ' ', h('code', { class: 'path' }, written.path)));
    } catch {
      if (!isAlive()) return;
      show(icon('info'), h('span', {}, t('inbox.exportFailed')));
    }
  }

  /** @param {ExportFolder[]} folders */
  const choice = (folders) => [
    h('span', { id: 'export-choose' }, t('inbox.exportChoose')),
    h(
      'span',
      { class: 'export-folders', role: 'group', 'aria-labelledby': 'export-choose' },
      folders.map((folder) =>
        h(
          'button',
          { type: 'button', class: 'button button--secondary', dataset: { test: 'export-folder', kind: folder.kind }, onclick: () => exportTo(folder.path) },
          icon('download'),
          `${folder.label} (${t(`inbox.exportKind.${folder.kind}`)})`,
        ),
      ),
    ),
  ];

  const button = h(
    'button',
    {
      type: 'button',
      class: 'button button--secondary',
      dataset: { test: 'export-csv' },
      onclick: async () => {
        button.disabled = true;
        try {
          /** @type {ExportFolder[] | null} */
          const folders = await guard(() => api.exportFolders(token()));
          if (!isAlive() || !folders) return;
          if (!folders.length) show(icon('info'), h('span', {}, t('inbox.exportNoFolder')));
          else show(choice(folders));
        } catch {
          if (!isAlive()) return;
          show(icon('info'), h('span', {}, t('inbox.exportFailed')));
        } finally {
          button.disabled = false;
        }
      },
    },
    icon('download'),
    t('inbox.exportCsv'),
  );
  return { button, result };
}
