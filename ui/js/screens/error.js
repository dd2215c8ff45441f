// @ts-check
// A friendly page for a failed command: its words depend only on the error's kind.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';

/**
 * @param {string} kind from the rejected command
 * @param {{ onHome: () => void, onRetry: () => void }} actions
 */
export function render(kind, { onHome, onRetry }) {
  const key = kind === 'notFound' ? 'notFound' : 'other';
  const node = h(
    'div',
    { class: 'error-page' },
    h('span', { class: 'error-page__icon' }, icon(kind === 'notFound' ? 'search' : 'info')),
    h('h1', { class: 'error-page__title', id: 'page-title', tabindex: '-1' }, t(`errors.${key}.title`)),
    h('p', { class: 'error-page__text' }, t(`errors.${key}.text`)),
    h(
      'div',
      { class: 'error-page__actions' },
      h(
        'button',
        { type: 'button', class: 'button button--primary', dataset: { test: 'error-home' }, onclick: onHome },
        icon('home'),
        t('errors.goHome'),
      ),
      key === 'other'
        ? h(
            'button',
            { type: 'button', class: 'button button--secondary', dataset: { test: 'error-retry' }, onclick: onRetry },
            t('errors.tryAgain'),
          )
        : null,
    ),
  );
  return { screen: 'error', title: t(`errors.${key}.title`), node };
}
