// @ts-check
// How the patient sees the kiosk (issue #13, "See it your way"): the text size and the contrast
// chosen in the header, set as classes on <html> that kiosk.css reads (`text-<size>`,
// `contrast-high`), and a header that stops sticking to the top when larger text makes it tall.
// Both go back to normal when the kiosk resets for the next patient (main.js).

/** Text sizes, smallest first: 100 %, 150 % and 200 % of the kiosk's normal 20 px text. */
export const TEXT_SIZES = ['normal', 'large', 'xlarge'];
/** `high`: light text on black, at least 7:1 for text (WCAG 1.4.6), the clinic's colour set aside. */
export const CONTRASTS = ['normal', 'high'];

/** @typedef {{ textSize: string, contrast: string }} Display */

/** What a new patient gets. */
export const DEFAULT_DISPLAY = Object.freeze({ textSize: 'normal', contrast: 'normal' });

/**
 * Whether `display` is the one a new patient gets.
 * @param {Display} display
 */
export function isDefaultDisplay(display) {
  return display.textSize === DEFAULT_DISPLAY.textSize && display.contrast === DEFAULT_DISPLAY.contrast;
}

/**
 * Puts `display` on `root` (<html>) as classes; unknown values count as normal.
 * @param {Element} root
 * @param {Display} display
 */
export function applyDisplay(root, display) {
  const size = TEXT_SIZES.includes(display.textSize) ? display.textSize : DEFAULT_DISPLAY.textSize;
  for (const each of TEXT_SIZES) root.classList.toggle(`text-${each}`, each === size);
  root.classList.toggle('contrast-high', display.contrast === 'high');
}

/**
 * The largest share of the window's height a sticky header may cover. Past it (two rows of
 * controls at 200 % on a 1280x800 screen) the header scrolls away with the page, so it neither
 * crowds the page (WCAG 1.4.10) nor hides what has focus (WCAG 2.4.11).
 */
const MAX_STICKY_SHARE = 0.2;

/**
 * Header content widths, in the header's own em, at or below which it drops the clinic's name
 * (`is-narrow`) and then the settings' visible names (`is-narrower`); kiosk.css hides them.
 * This replaces two CSS container queries: size containment on the header made every layout
 * of the page take about 120 ms in WebKitGTK (issue #16, BENCHMARKS.md).
 */
export const HEADER_NARROW_EM = Object.freeze({ 'is-narrow': 74, 'is-narrower': 61 });

/**
 * The header's width classes, as `@container (max-width: Nem)` would match them.
 * @param {number} contentWidthPx the header's content box width (px)
 * @param {number} emPx its computed font size (px)
 * @returns {Record<string, boolean>} each class of HEADER_NARROW_EM, on or off
 */
export function headerWidthClasses(contentWidthPx, emPx) {
  const em = emPx > 0 ? contentWidthPx / emPx : Infinity;
  return Object.fromEntries(Object.entries(HEADER_NARROW_EM).map(([name, max]) => [name, em <= max]));
}

/**
 * Keeps `--header-cover` (used for scroll padding) equal to the header's real height, the
 * header sticky only while it takes at most a fifth of the window (`is-tall` otherwise), and
 * its width classes (headerWidthClasses) current: on a resize of the window or the header, and
 * when the text size (a class on <html>) changes.
 * @param {HTMLElement} header
 * @returns {() => void} stops watching
 */
export function watchHeader(header) {
  const root = document.documentElement;
  const measure = () => {
    const style = getComputedStyle(header);
    const content = header.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    for (const [name, on] of Object.entries(headerWidthClasses(content, parseFloat(style.fontSize)))) {
      header.classList.toggle(name, on);
    }
    const height = header.getBoundingClientRect().height;
    const tall = height > window.innerHeight * MAX_STICKY_SHARE;
    header.classList.toggle('is-tall', tall);
    // A header that scrolls away covers nothing: only scroll padding's breathing room is left.
    root.style.setProperty('--header-cover', tall ? '0px' : `${Math.ceil(height)}px`);
  };
  const observer = new ResizeObserver(measure);
  observer.observe(header);
  const textSize = new MutationObserver(measure);
  textSize.observe(root, { attributes: true, attributeFilter: ['class'] });
  window.addEventListener('resize', measure);
  // Now, not in the ResizeObserver's first call: there a width class that changes the
  // header's height would need a second call in the same frame, which WebKit reports as an
  // error ("ResizeObserver loop completed with undelivered notifications"; seen at 1280x800).
  measure();
  return () => {
    observer.disconnect();
    textSize.disconnect();
    window.removeEventListener('resize', measure);
  };
}
