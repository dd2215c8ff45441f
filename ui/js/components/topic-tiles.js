// @ts-check
// Large topic tiles, used on home and wherever a search finds nothing.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { hrefTopic } from '../router.js';
import { heading } from './article-cards.js';

/**
 * @param {{ slug: string, name: string, description: string, icon: string, articleCount: number }[]} topics from list_topics
 * @param {number} [level] heading level of each tile's name
 */
export function topicTiles(topics, level = 3) {
  return h(
    'ul',
    { class: 'tiles', role: 'list' },
    topics.map((topic) =>
      h(
        'li',
        { class: 'tiles__item' },
        h(
          'a',
          { class: 'tile', href: hrefTopic(topic.slug), dataset: { test: 'topic-tile', slug: topic.slug } },
          h('span', { class: 'tile__icon' }, icon(topic.icon)),
          h(
            'span',
            { class: 'tile__body' },
            h(heading(level), { class: 'tile__title' }, topic.name),
            h('span', { class: 'tile__description' }, topic.description),
            h('span', { class: 'tile__count' }, t('topic.articleCount', { count: topic.articleCount }), icon('arrowRight')),
          ),
        ),
      ),
    ),
  );
}
