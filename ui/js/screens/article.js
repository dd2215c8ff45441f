// @ts-check
// Article page: title and dates, the emergency notice, the sanitized body, the disclaimer, the
// QR code to read at home, the specialist call-to-action, previous/next and related articles.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, getLang, formatDate } from '../i18n.js';
import * as api from '../api.js';
import { hrefArticle, hrefTopic, hrefCallback, navigate } from '../router.js';
import { articleCards } from '../components/article-cards.js';
import { listenControl } from '../speech.js';

// get_article's answer is Rust's (docs/ipc.md): read as it comes (`any`).

/** @param {{ params: { slug: string, topic: string | null } }} route */
export async function render({ params }) {
  const uiLang = getLang();
  const article = await api.getArticle(params.slug, params.topic);

  // Open the patient's language when the article has it; otherwise keep this one and say so.
  let missingTranslation = false;
  if (article.lang && article.lang !== uiLang) {
    const translation = (article.translations ?? []).find((/** @type {{ lang: string }} */ item) => item.lang === uiLang);
    if (translation) return { redirect: hrefArticle(translation.slug, params.topic) };
    missingTranslation = true;
  }
  // Rust-provided text carries its own language when it differs from the screen's.
  const lang = article.lang && article.lang !== uiLang ? article.lang : null;

  const title = h('h1', { class: 'article__title', id: 'article-title', tabindex: '-1', lang }, article.title);
  const summary = article.summary ? h('p', { class: 'article__summary', lang }, article.summary) : null;
  const emergency = notice('emergency', 'alert', t('article.emergencyTitle'), article.notices?.emergency, lang);
  const disclaimer = notice('disclaimer', 'info', t('article.disclaimerTitle'), article.notices?.disclaimer, lang);
  // Read aloud in the article's own language: the title, the summary, the emergency notice, the body, the disclaimer.
  const listen = listenControl({ sources: () => [title, summary, emergency, body, disclaimer], lang: article.lang ?? uiLang });

  const topicSlug = params.topic ?? article.topics?.[0]?.slug ?? null;
  const topic = (article.topics ?? []).find((/** @type {{ slug: string }} */ item) => item.slug === topicSlug) ?? article.topics?.[0];

  const body = h('div', { class: 'prose', dataset: { test: 'article-body' }, lang });
  body.innerHTML = article.html ?? ''; // sanitized in Rust: headings, paragraphs, lists, emphasis
  tidyBody(body);

  const node = h(
    'div',
    { class: 'article-page' },
    missingTranslation
      ? h(
          'p',
          { class: 'translation-note', dataset: { test: 'translation-missing' } },
          icon('globe'),
          t('article.notAvailable', { language: t(`languageNames.${uiLang}`) }),
        )
      : null,
    h(
      'article',
      { class: 'article', 'aria-labelledby': 'article-title' },
      h(
        'header',
        { class: 'article__head' },
        topic
          ? h('a', { class: 'chip', href: hrefTopic(topic.slug), lang, dataset: { test: 'article-topic' } }, topic.name)
          : null,
        title,
        summary,
        h(
          'ul',
          { class: 'article__meta', role: 'list' },
          h('li', {}, icon('calendar'), t('article.published', { date: formatDate(article.date) })),
          h('li', {}, icon('reviewed'), reviewedLine(article, lang)),
          h('li', {}, icon('clock'), t('article.readingTime', { count: article.readingMinutes })),
        ),
        listen,
      ),
      emergency,
      h(
        'div',
        { class: 'article__layout' },
        h(
          'div',
          { class: 'article__main' },
          body,
          disclaimer,
        ),
        h('div', { class: 'article__aside' }, qrPanel(article), specialistPanel(article, lang, topicSlug)),
      ),
    ),
    pager(article, topicSlug, lang),
    relatedSection(article, lang),
  );

  return { screen: 'article', title: article.title, node };
}

/**
 * @param {any} article
 * @param {string} lang
 */
function reviewedLine(article, lang) {
  // "Reviewed <date> by <reviewer>": the reviewer's role comes in the article's language.
  const marker = '\u0000';
  const text = t('article.reviewed', { date: formatDate(article.reviewed), reviewer: marker });
  const [before, after = ''] = text.split(marker);
  return h('span', {}, before, h('span', { lang }, article.reviewer ?? ''), after);
}

/**
 * @param {string} kind
 * @param {string} iconName
 * @param {string} title
 * @param {string} text
 * @param {string | null} lang
 */
function notice(kind, iconName, title, text, lang) {
  return h(
    'div',
    { class: `notice notice--${kind}`, role: 'note', dataset: { test: kind === 'emergency' ? 'emergency-notice' : 'disclaimer' } },
    h('span', { class: 'notice__icon' }, icon(iconName)),
    h(
      'div',
      { class: 'notice__content' },
      h('p', { class: 'notice__title' }, title),
      h('p', { class: 'notice__text', lang }, text ?? ''),
    ),
  );
}

/** @param {any} article */
function qrPanel(article) {
  const headingId = 'qr-heading';
  // qrSvg is generated offline in Rust from canonicalUrl, so it is trusted markup.
  const code = h('div', { class: 'qr__code', role: 'img', 'aria-label': t('article.qrLabel'), dataset: { test: 'qr' } });
  code.innerHTML = article.qrSvg ?? '';
  return h(
    'section',
    { class: 'panel panel--qr', 'aria-labelledby': headingId },
    h('h2', { class: 'panel__title', id: headingId }, icon('smartphone'), t('article.readAtHome')),
    code,
    h('p', { class: 'panel__text' }, t('article.qrCaption')),
  );
}

/**
 * @param {any} article
 * @param {string} lang
 * @param {string | null} topicSlug
 */
function specialistPanel(article, lang, topicSlug) {
  const headingId = 'specialist-heading';
  // The form is filled in from here: who will call, and what the patient was reading.
  const button = h(
    'button',
    {
      type: 'button',
      class: 'button button--primary button--block',
      dataset: { test: 'callback-cta', specialty: article.specialty?.slug },
      onclick: () =>
        navigate(hrefCallback({ specialty: article.specialty?.slug, topic: topicSlug, article: article.slug })),
    },
    icon('phone'),
    t('article.specialistButton'),
  );
  return h(
    'section',
    { class: 'panel panel--cta', 'aria-labelledby': headingId },
    h('h2', { class: 'panel__title', id: headingId }, t('article.specialistTitle')),
    article.specialty?.name ? h('p', { class: 'panel__specialty', lang }, article.specialty.name) : null,
    h('p', { class: 'panel__text' }, t('article.specialistText')),
    button,
  );
}

/**
 * @param {any} article
 * @param {string | null} topicSlug
 * @param {string} lang
 */
function pager(article, topicSlug, lang) {
  if (!article.previous && !article.next) return null;
  const link = (/** @type {{ slug: string, title: string } | null} */ item, /** @type {string} */ direction) =>
    item
      ? h(
          'a',
          {
            class: `pager__link pager__link--${direction}`,
            href: hrefArticle(item.slug, topicSlug),
            dataset: { test: `article-${direction}`, slug: item.slug },
          },
          direction === 'previous' ? icon('chevronLeft') : null,
          h(
            'span',
            { class: 'pager__text' },
            h('span', { class: 'pager__label' }, t(`article.${direction}`)),
            h('span', { class: 'pager__title', lang }, item.title),
          ),
          direction === 'next' ? icon('chevronRight') : null,
        )
      : h('span', { class: 'pager__spacer' });
  return h(
    'nav',
    { class: 'pager', 'aria-label': t('article.moreInTopic') },
    link(article.previous, 'previous'),
    link(article.next, 'next'),
  );
}

/**
 * @param {any} article
 * @param {string} lang
 */
function relatedSection(article, lang) {
  if (!article.related?.length) return null;
  return h(
    'section',
    { class: 'section related', 'aria-labelledby': 'related-heading', dataset: { test: 'related' } },
    h('h2', { class: 'section__title', id: 'related-heading' }, t('article.related')),
    articleCards(article.related, { level: 3, lang }),
  );
}

/**
 * Keeps the body within what the screen expects, whatever the content says: the kiosk stays
 * inside the app, so a link is shown as plain text, and the title is the only h1.
 */
/** @param {HTMLElement} root */
function tidyBody(root) {
  for (const link of root.querySelectorAll('a')) {
    link.replaceWith(...link.childNodes);
  }
  for (const heading of root.querySelectorAll('h1')) {
    const h2 = document.createElement('h2');
    if (heading.id) h2.id = heading.id;
    h2.append(...heading.childNodes);
    heading.replaceWith(h2);
  }
}
