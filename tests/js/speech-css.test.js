// @ts-check
// The sentence being read (ui/css/speech.css, issue #13): its highlight's text on its ground,
// with kiosk.css's colours, is 4.5:1 or more in the normal theme (WCAG 1.4.3) and 7:1 or more
// in high contrast (1.4.6), measured with WCAG's contrast formula.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ratio } from './contrast.js';
import { readFileSync } from 'node:fs';

/** @param {string} name */
const read = (name) => readFileSync(new URL(`../../ui/css/${name}`, import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
const kiosk = read('kiosk.css');
const speech = read('speech.css');

/** The declarations of the first rule whose selector is exactly `selector` in `css`. */
function declarations(/** @type {string} */ css, /** @type {string} */ selector) {
  const start = css.search(new RegExp(`(^|\\n)${selector.replace(/[.()[\]:]/g, '\\$&')} \\{`));
  if (start < 0) return {};
  const body = css.slice(css.indexOf('{', start) + 1, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/([\w-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
}


/**
 * A colour value with var(--x) (and its fallback) resolved against `vars`, down to a hex colour.
 * @param {string} value @param {Record<string, string>} vars
 * @returns {string}
 */
function resolve(value, vars) {
  const m = /^var\((--[\w-]+)(?:,\s*(.+))?\)$/.exec(value);
  if (!m) return value;
  const own = vars[m[1]];
  // A --clinic-* colour is the clinic's, unset by default: the fallback stands.
  return resolve(own ?? m[2] ?? '', vars);
}

/** The highlight's [text, ground] in the theme whose variables are `vars`. */
function highlight(/** @type {Record<string, string>} */ vars, /** @type {boolean} */ high) {
  const rule = { ...declarations(speech, '::highlight(speech-sentence)'), ...(high ? declarations(speech, 'html.contrast-high ::highlight(speech-sentence)') : {}) };
  assert.ok(rule.color && rule['background-color'], 'speech.css sets the highlight\'s colour and ground');
  return [resolve(rule.color, vars), resolve(rule['background-color'], vars)];
}

test('the sentence being read is 4.5:1 or more in the normal theme', () => {
  const [fg, bg] = highlight(declarations(kiosk, ':root'), false);
  assert.ok(ratio(fg, bg) >= 4.5, `${fg} on ${bg} is ${ratio(fg, bg).toFixed(2)}:1`);
});

test('the sentence being read is 7:1 or more in high contrast', () => {
  const vars = { ...declarations(kiosk, ':root'), ...declarations(kiosk, 'html.contrast-high') };
  const [fg, bg] = highlight(vars, true);
  assert.ok(ratio(fg, bg) >= 7, `${fg} on ${bg} is ${ratio(fg, bg).toFixed(2)}:1`);
});
