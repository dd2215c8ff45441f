// @ts-check
// Article cards: topic lists, related articles and search results share one look.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { hrefArticle } from '../router.js';

/**
 * An article as the commands list it.
 * @typedef {{ slug: string, title: string, summary?: string | null, readingMinutes?: number | null }} ArticleSummary
 */

/**
 * @param {ArticleSummary[]} articles
 * @param {{ topic?: string | null, level?: number, lang?: string | null, test?: string }} [options] topic: slug
 *   for previous/next, level: heading level, lang: the articles' language when it differs from
 *   the screen's, test: data-test of each link
 */
export function articleCards(articles, { topic = null, level = 2, lang = null, test = 'article-link' } = {}) {
  return h(
    'ul',
    { class: 'cards', role: 'list' },
    articles.map((article) =>
      h(
        'li',
        { class: 'cards__item' },
        h(
          'a',
          { class: 'card', href: hrefArticle(article.slug, topic), dataset: { test, slug: article.slug } },
          h(
            'span',
            { class: 'card__body' },
            h(heading(level), { class: 'card__title', lang }, article.title),
            article.summary ? h('span', { class: 'card__summary', lang }, article.summary) : null,
            article.readingMinutes
              ? h(
                  'span',
                  { class: 'card__meta' },
                  icon('clock'),
                  t('article.readingTime', { count: article.readingMinutes }),
                )
              : null,
          ),
          h('span', { class: 'card__go' }, icon('chevronRight')),
        ),
      ),
    ),
  );
}

/**
 * Search results: title, summary and the snippet. The snippet is escaped text from Rust in which
 * only <mark> is markup, so it is the one search field given to innerHTML.
 * @param {(ArticleSummary & { snippet?: string | null })[]} results
 * @param {number} [level] heading level of each title
 */
export function searchResults(results, level = 2) {
  return h(
    'ol',
    { class: 'cards cards--results', role: 'list' },
    results.map((result) => {
      const snippet = h('span', { class: 'card__snippet' });
      snippet.innerHTML = result.snippet ?? '';
      return h(
        'li',
        { class: 'cards__item' },
        h(
          'a',
          { class: 'card card--result', href: hrefArticle(result.slug), dataset: { test: 'search-result', slug: result.slug } },
          h(
            'span',
            { class: 'card__body' },
            h(heading(level), { class: 'card__title' }, result.title),
            result.summary ? h('span', { class: 'card__summary' }, result.summary) : null,
            result.snippet ? snippet : null,
          ),
          h('span', { class: 'card__go' }, icon('chevronRight')),
        ),
      );
    }),
  );
}

/**
 * The tag of a heading of `level` (1 to 6).
 * @param {number} level
 */
export const heading = (level) => /** @type {'h1' | 'h2' | 'h3' | 'h4' | 'h5' | 'h6'} */ (`h${level}`);
