// @ts-check
// The UI's texts (ui/js/i18n.js): plural forms, placeholders, and the fallbacks that keep a
// key name off a patient's screen. Dictionaries are served by a stand-in for fetch.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as i18n from '../../ui/js/i18n.js';

const DICTIONARIES = {
  en: {
    greeting: 'Hello, {name}!',
    only: { english: 'Only in English' },
    items: { one: '{count} item', other: '{count} items' },
    noOne: { other: '{count} things' },
    search: { didYouMean: 'Did you mean {term}?' },
  },
  es: {
    greeting: '¡Hola, {name}!',
    items: { one: '{count} artículo', other: '{count} artículos' },
    search: { didYouMean: '¿Quiso decir {term}?' },
  },
};

/** @type {string[]} */
const warnings = [];

before(async () => {
  globalThis.fetch = /** @type {typeof fetch} */ (
    async (url) => {
      const lang = String(url).match(/^i18n\/(\w+)\.json$/)?.[1] ?? '';
      const dictionary = /** @type {Record<string, unknown>} */ (DICTIONARIES)[lang];
      return new Response(dictionary ? JSON.stringify(dictionary) : 'not found', { status: dictionary ? 200 : 404 });
    }
  );
  console.warn = (/** @type {string} */ message) => warnings.push(message);
  const quiet = console.error;
  console.error = () => {};
  assert.deepEqual(await i18n.loadDictionaries(['en', 'es', 'fr']), ['en', 'es'], 'a language whose file fails is skipped');
  console.error = quiet;
});

test('languages: only a loaded one can be chosen', () => {
  assert.equal(i18n.setLang('es'), 'es');
  assert.equal(i18n.setLang('fr'), 'es', 'French has no dictionary: the language stays');
  assert.equal(i18n.setLang('en'), 'en');
  assert.equal(i18n.getLang(), 'en');
});

test('placeholders are filled; one not given stays as written', () => {
  i18n.setLang('en');
  assert.equal(i18n.t('greeting', { name: 'Ana' }), 'Hello, Ana!');
  assert.equal(i18n.t('greeting'), 'Hello, {name}!');
  assert.equal(i18n.t('greeting', { name: 0 }), 'Hello, 0!');
  assert.equal(i18n.t('greeting', { name: '{count}', count: 3 }), 'Hello, {count}!', 'a filled value is not filled again');
});

test('plural forms follow the language’s rules', () => {
  i18n.setLang('en');
  assert.equal(i18n.t('items', { count: 1 }), '1 item');
  assert.equal(i18n.t('items', { count: 0 }), '0 items');
  assert.equal(i18n.t('items', { count: 2 }), '2 items');
  assert.equal(i18n.t('noOne', { count: 1 }), '1 things', 'a missing form falls back to other');
  assert.equal(i18n.t('items'), '{count} items', 'no count: other, the placeholder kept');
  i18n.setLang('es');
  assert.equal(i18n.t('items', { count: 1 }), '1 artículo');
  assert.equal(i18n.t('items', { count: 5 }), '5 artículos');
  i18n.setLang('en');
});

test('a text missing in the language falls back to English, then to nothing', () => {
  i18n.setLang('es');
  warnings.length = 0;
  assert.equal(i18n.t('only.english'), 'Only in English');
  assert.equal(i18n.hasText('only.english'), false);
  assert.equal(i18n.t('no.such.key'), '', 'never the key name');
  assert.equal(i18n.t('only'), '', 'a group of texts is not a text');
  assert.equal(warnings.length, 3, 'each miss in Spanish is logged');
  assert.equal(i18n.hasText('greeting'), true);
  i18n.setLang('en');
});

test('a text in another language, and the language stays', () => {
  i18n.setLang('en');
  assert.equal(i18n.tIn('es', 'greeting', { name: 'Ana' }), '¡Hola, Ana!');
  assert.equal(i18n.tIn('fr', 'greeting', { name: 'Ana' }), 'Hello, Ana!', 'no French: the current language');
  assert.equal(i18n.getLang(), 'en');
});

test('a text split around a placeholder, for a node to stand in it', () => {
  i18n.setLang('en');
  assert.deepEqual(i18n.tSplit('search.didYouMean', 'term'), ['Did you mean ', '?']);
  assert.deepEqual(i18n.tSplit('greeting', 'other'), ['Hello, {name}!', '']);
  i18n.setLang('es');
  assert.deepEqual(i18n.tSplit('search.didYouMean', 'term'), ['¿Quiso decir ', '?']);
  i18n.setLang('en');
});

test('dates in the language, and anything else as given', () => {
  i18n.setLang('en');
  assert.equal(i18n.formatDate('2026-02-10'), 'February 10, 2026');
  i18n.setLang('es');
  assert.equal(i18n.formatDate('2026-02-10'), '10 de febrero de 2026');
  assert.equal(i18n.formatDate('soon'), 'soon');
  assert.equal(i18n.formatDate(null), '');
  i18n.setLang('en');
});
