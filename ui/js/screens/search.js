// @ts-check
// Search: the field with type-ahead, a result count announced to screen readers, and results.
// With no results it offers "did you mean" and the topic tiles, so the screen is never empty.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, tSplit, getLang } from '../i18n.js';
import * as api from '../api.js';
import { navigate, hrefSearch, hrefArticle } from '../router.js';
import { createSearchBox } from '../components/search-box.js';
import { searchResults } from '../components/article-cards.js';
import { topicTiles } from '../components/topic-tiles.js';
import { headphonesIn, isSpeechMode, say } from '../speech.js';

/** @param {{ params: { q: string } }} route */
// eslint-disable-next-line max-lines-per-function -- The screen's inner functions share its state (the query on show, the search under way); each is short.
export async function render({ params }) {
  const lang = getLang();
  const query = (params.q ?? '').trim();
  let sequence = 0;

  // Status text is set only after the screen is in place, so the live region announces it.
  const status = h('p', { class: 'search-status', role: 'status', id: 'search-status' });
  const results = h('div', { class: 'search-results' });

  const searchBox = createSearchBox({
    value: query,
    onSubmit: (/** @type {string} */ text) => {
      navigate(hrefSearch(text), { replace: true, silent: true });
      run(text, { announce: true });
    },
    onPick: (/** @type {{ slug: string }} */ suggestion) => navigate(hrefArticle(suggestion.slug)),
  });

  /**
   * @param {string} text
   * @param {{ announce: boolean }} options
   */
  async function run(text, { announce }) {
    const mine = ++sequence;
    let outcome;
    try {
      outcome = text ? await api.search(text, lang) : { results: [], message: 'start' };
      if (outcome.message !== null && outcome.message !== undefined && !(outcome.results ?? []).length) {
        outcome.topics = await topicsOrEmpty(lang);
      }
    } catch (error) {
      if (mine !== sequence) return null;
      if (!announce) throw error; // the first search fails the screen: the error page explains
      outcome = { failed: true, results: [], topics: await topicsOrEmpty(lang) };
    }
    if (mine !== sequence) return null;
    const view = show(text, outcome);
    if (announce) setStatus(view);
    return view;
  }

  /**
   * @param {string} text
   * @param {any} outcome search's answer (docs/ipc.md)
   */
  function show(text, outcome) {
    const found = outcome.results ?? [];
    if (found.length) {
      // Nothing matched as typed, but one spelling the library uses clearly did: say so.
      const corrected = outcome.showingResultsFor;
      // The status line above the results says it ("Showing results for …").
      // Only some of the words matched: offer the spelling whose every word does.
      results.replaceChildren(
        ...(outcome.didYouMean ? [didYouMean(outcome.didYouMean)] : []),
        h('h2', { class: 'sr-only' }, t('search.resultsHeading')),
        searchResults(found, 3),
      );
      const count = t('search.resultCount', { count: found.length, query: corrected ?? text });
      return {
        status: corrected ? `${t('search.showingResultsFor', { term: corrected })}. ${count}` : count,
        spokenAloud: t('search.spokenCount', { count: found.length }),
      };
    }
    const parts = [];
    let statusText = '';
    /** @type {string | undefined} */
    let spokenAloud;
    if (outcome.failed) {
      statusText = `${t('errors.other.title')} ${t('errors.other.text')}`;
    } else if (!text || outcome.message === 'start') {
      parts.push(h('p', { class: 'search-hint' }, icon('info'), t('search.intro')));
    } else if (outcome.message === 'emptyQuery') {
      statusText = t('search.emptyQuery');
    } else {
      statusText = t('search.noResults', { query: text });
      spokenAloud = t('search.spokenNone');
      if (outcome.didYouMean) parts.push(didYouMean(outcome.didYouMean));
    }
    if (outcome.topics?.length) {
      parts.push(
        h(
          'section',
          { class: 'section', 'aria-labelledby': 'browse-heading' },
          h('h2', { class: 'section__title', id: 'browse-heading' }, t(text ? 'search.browseInstead' : 'search.browseTopics')),
          topicTiles(outcome.topics, 3),
        ),
      );
    }
    results.replaceChildren(...parts);
    return { status: statusText, spokenAloud };
  }

  /** @param {string} term */
  function didYouMean(term) {
    const [before, after] = tSplit('search.didYouMean', 'term');
    return h(
      'p',
      { class: 'did-you-mean' },
      before,
      h(
        'button',
        {
          type: 'button',
          class: 'button button--link',
          dataset: { test: 'did-you-mean' },
          onclick: () => {
            searchBox.setValue(term);
            navigate(hrefSearch(term), { replace: true, silent: true });
            run(term, { announce: true });
          },
        },
        term,
      ),
      after,
    );
  }

  let statusTimer = 0;
  /**
   * Shows the status line and, in speech mode, says it (issue #13): the live region is for
   * screen readers, and the kiosk's own voice does not read live regions.
   * @param {{ status: string, spokenAloud?: string }} view
   */
  function setStatus(view) {
    status.textContent = '';
    clearTimeout(statusTimer);
    // A fresh change, a moment after the region exists, is what screen readers announce.
    statusTimer = setTimeout(() => {
      status.textContent = view.status;
    }, 120);
    sayStatus(view);
  }

  /**
   * What a patient typed is never said through the speaker (issue #13): without headphones
   * only the count is said ("4 articles found."), with them the whole line, query and all.
   * @param {{ status: string, spokenAloud?: string }} view
   */
  async function sayStatus(view) {
    if (!isSpeechMode() || !view.status) return;
    const mine = sequence;
    const text = (await headphonesIn()) ? view.status : view.spokenAloud ?? view.status;
    if (mine === sequence && isSpeechMode()) say(text);
  }

  const first = await run(query, { announce: false });

  const node = h(
    'div',
    { class: 'search' },
    h(
      'div',
      { class: 'page-head page-head--search' },
      h('span', { class: 'page-head__icon' }, icon('search')),
      h('div', { class: 'page-head__text' }, h('h1', { class: 'page-head__title', id: 'page-title', tabindex: '-1' }, t('search.title'))),
    ),
    searchBox.element,
    status,
    results,
  );

  return {
    screen: 'search',
    title: t('search.title'),
    node,
    afterMount: () => setStatus(first ?? { status: '' }),
  };
}

/** Topic tiles are a fallback here, so failing to load them leaves them out rather than failing. */
/** @param {string} lang */
async function topicsOrEmpty(lang) {
  try {
    return await api.listTopics(lang);
  } catch {
    return [];
  }
}
