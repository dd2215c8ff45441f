// @ts-check
// WCAG 2.x contrast of two hex colours, for the tests that read colours from the style
// sheets (display.test.js, speech-css.test.js). https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio

/** @param {string} hex #rgb or #rrggbb */
function luminance(hex) {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex;
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(full.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of `a` and `b` (1 to 21). */
export const ratio = (/** @type {string} */ a, /** @type {string} */ b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
