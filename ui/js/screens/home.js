// @ts-check
// Home: the clinic's name, a welcome, the big search box, the topic tiles and a way to ask a
// specialist to call back.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, getLang } from '../i18n.js';
import * as api from '../api.js';
import { navigate, hrefSearch, hrefArticle, hrefCallback } from '../router.js';
import { createSearchBox } from '../components/search-box.js';
import { topicTiles } from '../components/topic-tiles.js';

/** @param {{ app: import('../main.js').AppInfo }} route */
export async function render({ app }) {
  const topics = await api.listTopics(getLang());

  const searchBox = createSearchBox({
    large: true,
    onSubmit: (/** @type {string} */ query) => navigate(hrefSearch(query)),
    onPick: (/** @type {{ slug: string }} */ suggestion) => navigate(hrefArticle(suggestion.slug)),
  });

  const node = h(
    'div',
    { class: 'home' },
    h(
      'section',
      { class: 'hero', 'aria-labelledby': 'page-title' },
      app.logo ? h('img', { class: 'hero__logo', src: app.logo, alt: '', dataset: { test: 'clinic-logo' } }) : null,
      h('p', { class: 'hero__eyebrow' }, t('home.eyebrow')),
      h('h1', { class: 'hero__title', id: 'page-title', tabindex: '-1' }, app.clinicName),
      h('p', { class: 'hero__welcome' }, t('home.welcome')),
      searchBox.element,
    ),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'topics-heading' },
      h(
        'div',
        { class: 'section__head' },
        h('h2', { class: 'section__title', id: 'topics-heading' }, t('home.topicsHeading')),
        h('p', { class: 'section__intro' }, t('home.topicsIntro')),
      ),
      topicTiles(topics, 3),
    ),
    h(
      'section',
      { class: 'callback-banner', 'aria-labelledby': 'callback-heading' },
      h('span', { class: 'callback-banner__icon' }, icon('phone')),
      h(
        'div',
        { class: 'callback-banner__text' },
        h('h2', { class: 'callback-banner__title', id: 'callback-heading' }, t('home.callbackTitle')),
        h('p', {}, t('home.callbackText')),
      ),
      h(
        'a',
        { class: 'button button--primary button--large', href: hrefCallback(), dataset: { test: 'callback-home' } },
        icon('phone'),
        t('home.callbackButton'),
      ),
    ),
  );

  return { screen: 'home', title: t('home.documentTitle'), node };
}
