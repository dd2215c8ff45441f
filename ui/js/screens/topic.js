// @ts-check
// Topic page: the topic's name and description, then its articles as cards.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, getLang } from '../i18n.js';
import * as api from '../api.js';
import { articleCards } from '../components/article-cards.js';

/** @param {{ params: { slug: string } }} route */
export async function render({ params }) {
  const { topic, articles } = await api.topicArticles(params.slug, getLang());

  const node = h(
    'div',
    { class: 'topic' },
    h(
      'div',
      { class: 'page-head page-head--topic' },
      h('span', { class: 'page-head__icon' }, icon(topic.icon)),
      h(
        'div',
        { class: 'page-head__text' },
        h('h1', { class: 'page-head__title', id: 'page-title', tabindex: '-1' }, topic.name),
        h('p', { class: 'page-head__lead' }, topic.description),
        h('p', { class: 'page-head__count' }, t('topic.articleCount', { count: articles.length })),
      ),
    ),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'articles-heading' },
      h('h2', { class: 'section__title', id: 'articles-heading' }, t('topic.articlesHeading')),
      articles.length
        ? articleCards(articles, { topic: topic.slug, level: 3 })
        : h('p', { class: 'empty-note' }, t('topic.empty')),
    ),
  );

  return { screen: 'topic', title: topic.name, node };
}
