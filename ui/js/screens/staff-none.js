// @ts-check
// The staff view before any staff account exists: how IT makes the first one on this
// computer's command line. Nothing here makes an account; a patient who taps Staff only reads
// this and goes back.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, tSplit } from '../i18n.js';
import { goHome } from '../router.js';
import { view, leaving, pageHead } from './staff-session.js';

/** The command IT runs to make the first account (the name is a placeholder in the screen's language). */
const ADD_COMMAND = (/** @type {string} */ name) => `clinic-kiosk staff add "${name}" --role admin`;

export function renderNone() {
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
