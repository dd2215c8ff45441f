// @ts-check
// After a callback request: a calm thank-you that shows nothing personal (no name, no phone),
// then home again by itself after a short countdown, or at once with Done. "More time" stops
// the countdown for a patient who reads slowly. A request for a number that already asked
// gets this very screen too: nothing here tells anyone whether someone asked before.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { goHome } from '../router.js';

const SECONDS = 8;

export function render() {
  let left = SECONDS;
  let timer = 0;

  const countdown = h('p', { class: 'thanks__countdown', dataset: { test: 'thanks-countdown' } });
  const moreTime = h(
    'button',
    {
      type: 'button',
      class: 'button button--secondary button--large',
      dataset: { test: 'thanks-more-time' },
      onclick: () => {
        stop();
        countdown.textContent = t('thanks.paused');
        moreTime.hidden = true;
        done.focus();
      },
    },
    icon('clock'),
    t('thanks.moreTime'),
  );
  const done = h(
    'button',
    { type: 'button', class: 'button button--primary button--large', dataset: { test: 'thanks-done' }, onclick: () => goHome() },
    icon('home'),
    t('thanks.done'),
  );

  function tick() {
    countdown.textContent = t('thanks.countdown', { count: left });
    if (left <= 0) {
      stop();
      goHome();
    }
    left -= 1;
  }

  function stop() {
    clearInterval(timer);
    timer = 0;
  }

  const node = h(
    'div',
    { class: 'thanks', dataset: { test: 'cb-thanks' } },
    h('span', { class: 'thanks__icon' }, icon('check')),
    h('h1', { class: 'thanks__title', id: 'page-title', tabindex: '-1' }, t('thanks.title')),
    h('p', { class: 'thanks__text' }, t('thanks.text')),
    h('p', { class: 'thanks__text thanks__text--small' }, t('thanks.keepReading')),
    countdown,
    h('div', { class: 'thanks__actions' }, done, moreTime),
  );
  tick();

  return {
    screen: 'thanks',
    title: t('thanks.title'),
    node,
    afterMount: () => {
      stop();
      timer = setInterval(tick, 1000);
    },
    onLeave: stop,
  };
}
