// @ts-check
// The clinic's accent colour (from the config, already checked in Rust for 4.5:1 against
// white text) turned into the few shades the style sheet uses. Tints are lightened until the
// accent still reads at 4.5:1 on them.
//
// They are set as --clinic-* properties, which kiosk.css turns into --accent and its shades in
// the normal theme only: the high-contrast theme (html.contrast-high, display.js) keeps its
// own colours whatever the clinic chose, so a clinic's colour can never bring it under 7:1.

const HEX = /^#([0-9a-f]{6})$/i;

/** @typedef {number[]} Rgb three channels, 0 to 255 */

const channel = (/** @type {number} */ c) => {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
};
const luminance = (/** @type {Rgb} */ [r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
const contrast = (/** @type {Rgb} */ a, /** @type {Rgb} */ b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
const mix = (/** @type {Rgb} */ rgb, /** @type {Rgb} */ toward, /** @type {number} */ amount) => rgb.map((c, i) => Math.round(c + (toward[i] - c) * amount));
const hex = (/** @type {Rgb} */ rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;

/**
 * Sets --clinic-accent and its shades on <html>; does nothing for a colour that is not #rrggbb.
 * @param {unknown} colour
 */
export function applyAccent(colour) {
  const match = HEX.exec(String(colour ?? ''));
  if (!match) return;
  const n = parseInt(match[1], 16);
  const accent = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  const white = [255, 255, 255];
  const tint = (/** @type {number} */ start) => {
    let amount = start;
    while (amount < 1 && contrast(accent, mix(accent, white, amount)) < 4.5) amount += 0.01;
    return hex(mix(accent, white, Math.min(amount, 1)));
  };
  const style = document.documentElement.style;
  style.setProperty('--clinic-accent', hex(accent));
  style.setProperty('--clinic-accent-strong', hex(mix(accent, [0, 0, 0], 0.2)));
  style.setProperty('--clinic-accent-tint', tint(0.86));
  style.setProperty('--clinic-accent-soft', tint(0.93));
}
