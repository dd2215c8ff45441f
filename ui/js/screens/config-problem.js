// A kiosk whose settings file has problems opens here instead of the home screen: a calm
// message for the patient, and the problems themselves, folded away, for staff.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';

export function render({ app }) {
  const problems = Array.isArray(app.configProblems) ? app.configProblems : [];
  const [before, after] = t('configProblem.detailsLead').split(/`[^`]*`/);
  const node = h(
    'div',
    { class: 'error-page config-problem' },
    h('span', { class: 'error-page__icon' }, icon('info')),
    h('h1', { class: 'error-page__title', id: 'page-title', tabindex: '-1' }, t('configProblem.title')),
    h('p', { class: 'error-page__text' }, t('configProblem.text')),
    h(
      'details',
      { class: 'config-problem__details', dataset: { test: 'config-details' } },
      h('summary', { class: 'config-problem__summary' }, t('configProblem.details')),
      h('p', {}, before ?? '', h('code', {}, 'clinic-kiosk config check'), after ?? ''),
      h(
        'ul',
        { class: 'config-problem__list' },
        problems.map((problem) => h('li', { dataset: { test: 'config-problem' } }, h('code', {}, problem))),
      ),
    ),
  );
  return { screen: 'config-problem', title: t('configProblem.title'), node };
}
