// @ts-check
// "Something went wrong, going back to the start": shown when the page hits an error nobody
// handled. Counts down a few seconds, then the kiosk starts over (as after an idle reset).

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';

const SECONDS = 5;

/** @param {{ onStart: () => void }} actions onStart runs once, when the count ends or the button is pressed */
export function render({ onStart }) {
  let left = SECONDS;
  let done = false;
  const text = h('p', { class: 'error-page__text', dataset: { test: 'recovery-count' } }, t('recovery.text', { count: left }));
  const start = () => {
    if (done) return;
    done = true;
    clearInterval(timer);
    onStart();
  };
  const timer = setInterval(() => {
    left -= 1;
    text.textContent = t('recovery.text', { count: Math.max(0, left) });
    if (left <= 0) start();
  }, 1000);
  const node = h(
    'div',
    { class: 'error-page', role: 'alert' },
    h('span', { class: 'error-page__icon' }, icon('retry')),
    h('h1', { class: 'error-page__title', id: 'page-title', tabindex: '-1' }, t('recovery.title')),
    text,
    h(
      'div',
      { class: 'error-page__actions' },
      h('button', { type: 'button', class: 'button button--primary', dataset: { test: 'recovery-now' }, onclick: start }, icon('home'), t('recovery.now')),
    ),
  );
  return {
    screen: 'recovery',
    title: t('recovery.title'),
    node,
    onLeave: () => {
      done = true;
      clearInterval(timer);
    },
  };
}
