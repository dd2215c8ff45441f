// @ts-check
// Text size and contrast (ui/js/display.js, issue #13): the classes on <html>, what a new patient
// gets, and the high-contrast palette in kiosk.css measured with WCAG's contrast formula: 7:1 for
// every text pair (1.4.6), 3:1 for control edges and the focus ring (1.4.11). The clinic's accent
// colour (theme.js) reaches only --clinic-* properties, which the high-contrast theme never reads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ratio } from './contrast.js';
import { readFileSync } from 'node:fs';
import { TEXT_SIZES, DEFAULT_DISPLAY, applyDisplay, isDefaultDisplay } from '../../ui/js/display.js';
import { applyAccent } from '../../ui/js/theme.js';

// Comments dropped: they quote variable names and ratios.
const css = readFileSync(new URL('../../ui/css/kiosk.css', import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');

/** A stand-in for <html>: only its classList. */
function fakeRoot() {
  const classes = new Set(['text-normal']);
  return {
    classes,
    classList: {
      /** @param {string} name @param {boolean} on */
      toggle(name, on) {
        if (on) classes.add(name);
        else classes.delete(name);
        return on;
      },
    },
  };
}

test('each text size and contrast is one set of classes on <html>', () => {
  const root = fakeRoot();
  applyDisplay(/** @type {any} */ (root), { textSize: 'xlarge', contrast: 'high' });
  assert.deepEqual([...root.classes].sort(), ['contrast-high', 'text-xlarge']);
  applyDisplay(/** @type {any} */ (root), { textSize: 'large', contrast: 'normal' });
  assert.deepEqual([...root.classes].sort(), ['text-large']);
  // Anything unknown is the normal size, never no size at all.
  applyDisplay(/** @type {any} */ (root), { textSize: 'huge', contrast: 'odd' });
  assert.deepEqual([...root.classes].sort(), ['text-normal']);
});

test('a new patient gets normal text and normal contrast', () => {
  assert.ok(isDefaultDisplay({ ...DEFAULT_DISPLAY }));
  assert.ok(!isDefaultDisplay({ textSize: 'large', contrast: 'normal' }));
  assert.ok(!isDefaultDisplay({ textSize: 'normal', contrast: 'high' }));
});

test('the largest text size is 200 % of the normal one', () => {
  /** @param {string} selector */
  const percent = (selector) => Number(new RegExp(`^${selector.replace('.', '\\.')} \\{ font-size: ([\\d.]+)%; \\}`, 'm').exec(css)?.[1]);
  const normal = percent('html');
  assert.equal(TEXT_SIZES.at(-1), 'xlarge');
  assert.equal(percent('html.text-large') / normal, 1.5);
  assert.equal(percent('html.text-xlarge') / normal, 2);
});

/** The custom properties set in the first rule whose selector is exactly `selector`. */
function variables(/** @type {string} */ selector) {
  const start = css.indexOf(`\n${selector} {`);
  assert.ok(start >= 0, `kiosk.css has a ${selector} rule`);
  const body = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/(--[\w-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
}


test('high contrast: every text colour on every ground it is used on is 7:1 or more', () => {
  const v = variables('html.contrast-high');
  const pairs = [
    ...['--text', '--muted', '--accent', '--accent-strong', '--danger'].flatMap((fg) => ['--bg', '--surface'].map((bg) => [fg, bg])),
    ['--text', '--accent-tint'],
    ['--text', '--accent-soft'],
    ['--accent', '--accent-tint'],
    ['--accent-strong', '--accent-tint'],
    ['--danger', '--danger-tint'],
    ['--on-accent', '--accent'],
    ['--on-accent', '--accent-strong'],
    ['--on-accent', '--mark'],
  ];
  for (const [fg, bg] of pairs) {
    assert.match(v[fg] ?? '', /^#[0-9a-f]{3,6}$/i, `${fg} is a plain colour in the high-contrast theme`);
    assert.ok(ratio(v[fg], v[bg]) >= 7, `${fg} ${v[fg]} on ${bg} ${v[bg]}: ${ratio(v[fg], v[bg]).toFixed(2)}:1`);
  }
});

test('high contrast: control edges and the focus ring are 3:1 or more against the page', () => {
  const v = variables('html.contrast-high');
  for (const fg of ['--border', '--border-strong', '--focus', '--accent', '--danger-border']) {
    for (const bg of ['--bg', '--surface']) {
      assert.ok(ratio(v[fg], v[bg]) >= 3, `${fg} ${v[fg]} on ${bg} ${v[bg]}: ${ratio(v[fg], v[bg]).toFixed(2)}:1`);
    }
  }
  // The ring is a colour of its own, so focus never looks like a pressed or primary control.
  const others = ['--text', '--accent', '--accent-strong', '--border-strong', '--danger'].map((name) => v[name]);
  assert.ok(!others.includes(v['--focus']), 'the focus ring has its own colour');
});

test("the clinic's accent reaches only --clinic-* properties, which high contrast never reads", () => {
  /** @type {Record<string, string>} */
  const set = {};
  const saved = globalThis.document;
  globalThis.document = /** @type {any} */ ({ documentElement: { style: { setProperty: (/** @type {string} */ k, /** @type {string} */ v) => (set[k] = v) } } });
  try {
    applyAccent('#ffff00');
  } finally {
    globalThis.document = saved;
  }
  assert.ok(Object.keys(set).length >= 4, 'the accent and its shades are set');
  for (const name of Object.keys(set)) assert.match(name, /^--clinic-/);
  const high = variables('html.contrast-high');
  for (const [name, value] of Object.entries(high)) assert.doesNotMatch(value, /--clinic-/, `${name} in high contrast`);
  // The normal theme does use it.
  assert.match(variables(':root')['--accent'], /var\(--clinic-accent,/);
});

test('the header drops the clinic name at 74em and the setting names at 61em, as the container queries did', async () => {
  const { headerWidthClasses, HEADER_NARROW_EM } = await import('../../ui/js/display.js');
  assert.deepEqual(Object.keys(HEADER_NARROW_EM), ['is-narrow', 'is-narrower']);
  // 1920 px screen at normal text (20 px em, 50 px gutters): 91 em, everything shown.
  assert.deepEqual(headerWidthClasses(1820, 20), { 'is-narrow': false, 'is-narrower': false });
  // 1280 px at normal text: 59 em, both.
  assert.deepEqual(headerWidthClasses(1180, 20), { 'is-narrow': true, 'is-narrower': true });
  // At 200 % (40 px em) even a 1920 px screen is narrow.
  assert.deepEqual(headerWidthClasses(1824, 40), { 'is-narrow': true, 'is-narrower': true });
  // The edges are inclusive, as max-width is.
  assert.deepEqual(headerWidthClasses(74 * 20, 20), { 'is-narrow': true, 'is-narrower': false });
  assert.deepEqual(headerWidthClasses(74 * 20 + 1, 20), { 'is-narrow': false, 'is-narrower': false });
  assert.deepEqual(headerWidthClasses(61 * 30, 30), { 'is-narrow': true, 'is-narrower': true });
  // No font size known: nothing hidden.
  assert.deepEqual(headerWidthClasses(500, 0), { 'is-narrow': false, 'is-narrower': false });
});

test('kiosk.css has no container query or size containment left (each layout cost ~120 ms in WebKitGTK)', () => {
  assert.doesNotMatch(css, /@container|container(-type)?\s*:/);
  assert.match(css, /:where\(\.site-header\.is-narrow\) \.site-header__brand/);
  assert.match(css, /:where\(\.site-header\.is-narrower\) \.setting__label/);
});

/**
 * Every shadow layer's blur radius in px (`box-shadow`, `text-shadow` and the `--shadow*`
 * custom properties), rem and em counted at 16 px, the smallest they come to.
 * @param {string} sheet
 * @returns {{ value: string, blur: number }[]}
 */
function shadowBlurs(sheet) {
  const found = [];
  for (const [, value] of sheet.matchAll(/(?:box-shadow|text-shadow|--shadow[\w-]*)\s*:\s*([^;}]+)/g)) {
    const layers = value.replace(/\([^)]*\)/g, '').split(',');
    for (const layer of layers) {
      const lengths = [...layer.matchAll(/(-?[\d.]+)(px|rem|em)?\b/g)].map(([, n, unit]) => Number(n) * (unit === 'rem' || unit === 'em' ? 16 : 1));
      if (lengths.length >= 3) found.push({ value: layer.trim(), blur: lengths[2] });
    }
  }
  return found;
}

test('no shadow has a blur radius between 0 and 4 px (WebKitGTK paints those ~10x slower)', () => {
  const speech = readFileSync(new URL('../../ui/css/speech.css', import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const blurs = shadowBlurs(css + speech);
  assert.ok(blurs.length > 10, 'the shadows were found');
  assert.deepEqual(blurs.filter(({ blur }) => blur > 0 && blur < 4), []);
  // The parser sees a small blur where there is one.
  assert.deepEqual(shadowBlurs('a { box-shadow: 0 1px 2px rgb(0 0 0 / 0.1), 0 0 0 1px red inset; }').map(({ blur }) => blur), [2, 0]);
});
