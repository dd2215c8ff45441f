// @ts-check
// A kiosk whose settings file has problems opens here instead of the home screen: a calm
// message for the patient. The problems themselves name files and values, so they are
// never on this screen: staff see them behind the PIN (Kiosk health), IT with
// `clinic-kiosk config check`.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';

export function render() {
  const [before, after] = t('configProblem.staffHint').split(/`[^`]*`/);
  const node = h(
    'div',
    { class: 'error-page config-problem' },
    h('span', { class: 'error-page__icon' }, icon('info')),
    h('h1', { class: 'error-page__title', id: 'page-title', tabindex: '-1' }, t('configProblem.title')),
    h('p', { class: 'error-page__text' }, t('configProblem.text')),
    h('p', { class: 'config-problem__staff', dataset: { test: 'config-staff-hint' } }, before ?? '', h('code', {}, 'clinic-kiosk config check'), after ?? ''),
  );
  return { screen: 'config-problem', title: t('configProblem.title'), node };
}
