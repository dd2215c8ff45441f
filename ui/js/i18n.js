// @ts-check
// UI text and date formatting. Dictionaries live in ui/i18n/<lang>.json, all with the same keys.

/** @typedef {{ [key: string]: string | Dictionary }} Dictionary */

/** @type {Map<string, Dictionary>} */
const dictionaries = new Map();
/** @type {Map<string, Intl.PluralRules>} */
const pluralRules = new Map();
let current = 'en';

/** @typedef {Record<string, unknown>} Vars values for a text's {placeholders}; `count` picks a plural form */

/**
 * Loads the dictionaries of the given languages; a language whose file fails is skipped.
 * @param {string[]} langs
 * @returns {Promise<string[]>} the languages loaded
 */
export async function loadDictionaries(langs) {
  await Promise.all(
    langs.map(async (lang) => {
      try {
        const response = await fetch(`i18n/${lang}.json`);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        dictionaries.set(lang, await response.json());
        pluralRules.set(lang, new Intl.PluralRules(lang));
      } catch (error) {
        console.error(`could not load the ${lang} dictionary`, error);
      }
    }),
  );
  return langs.filter((lang) => dictionaries.has(lang));
}

/**
 * @param {string} lang
 * @returns {string} the language now, which stays as it was for one with no dictionary
 */
export function setLang(lang) {
  if (dictionaries.has(lang)) current = lang;
  return current;
}

export const getLang = () => current;

/** Whether `key` has a text in the current language (for texts chosen by a code from Rust). */
export const hasText = (/** @type {string} */ key) => lookup(current, key) !== undefined;

/**
 * @param {string} lang
 * @param {string} key dotted, as "callback.errors.name.required"
 * @returns {string | Dictionary | undefined}
 */
function lookup(lang, key) {
  /** @type {string | Dictionary | undefined} */
  let node = dictionaries.get(lang);
  for (const part of key.split('.')) {
    if (node == null || typeof node !== 'object') return undefined;
    node = node[part];
  }
  return node;
}

/**
 * @param {string} template
 * @param {Vars} vars
 */
function fill(template, vars) {
  return template.replace(/\{(\w+)\}/g, (whole, /** @type {string} */ name) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole,
  );
}

/**
 * Text for `key` in the current language. A key whose value has `one`/`other` forms is
 * pluralised with `vars.count`. A missing key falls back to English, then to an empty string,
 * so a patient never sees a key name.
 * @param {string} key
 * @param {Vars} [vars]
 * @returns {string}
 */
export function t(key, vars = {}) {
  let value = lookup(current, key);
  let lang = current;
  if (value === undefined) {
    value = lookup('en', key);
    lang = 'en';
    console.warn(`missing text for ${key} in ${current}`);
  }
  if (value && typeof value === 'object' && 'other' in value) {
    const form = pluralRules.get(lang)?.select(Number(vars.count)) ?? 'other';
    value = /** @type {Dictionary} */ (value)[form] ?? value.other;
  }
  return typeof value === 'string' ? fill(value, vars) : '';
}

/**
 * Splits a template around one placeholder so a node (a button, a <strong>) can stand in for it:
 * t('search.didYouMean') "Did you mean {term}?" -> ["Did you mean ", "?"].
 * @param {string} key
 * @param {string} placeholder
 * @param {Vars} [vars]
 * @returns {[string, string]}
 */
export function tSplit(key, placeholder, vars = {}) {
  const marker = '\u0000';
  const text = t(key, { ...vars, [placeholder]: marker });
  const index = text.indexOf(marker);
  return index === -1 ? [text, ''] : [text.slice(0, index), text.slice(index + 1)];
}

/** "2026-02-10" as a long date in the current language ("February 10, 2026", "10 de febrero de 2026"). */
/** @param {unknown} isoDate */
export function formatDate(isoDate) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(isoDate ?? ''));
  if (!match) return String(isoDate ?? '');
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(current, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

/**
 * Text for `key` in a given language (the attract screen greets in every language at once).
 * @param {string} lang
 * @param {string} key
 * @param {Vars} [vars]
 */
export function tIn(lang, key, vars = {}) {
  const saved = current;
  current = dictionaries.has(lang) ? lang : saved;
  try {
    return t(key, vars);
  } finally {
    current = saved;
  }
}
