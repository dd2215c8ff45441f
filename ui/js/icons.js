// @ts-check
// Line icons drawn for the kiosk (24x24 grid, stroked in currentColor), built as DOM nodes.
// Topic icon names come from content/topics.toml: spine, head, vein, hair, scan, visit.

const SVG_NS = 'http://www.w3.org/2000/svg';

// p: path data, c: circles [cx, cy, r], r: rectangles [x, y, width, height, radius]
const ICONS = {
  // topics
  spine: {
    r: [[8.5, 1.8, 7, 3.6, 1.4], [8, 7.1, 8, 3.8, 1.4], [8, 12.6, 8, 3.8, 1.4], [8.5, 18.1, 7, 3.6, 1.4]],
    p: ['M4.5 9h3.5M16 9h3.5M4.5 14.5h3.5M16 14.5h3.5'],
  },
  head: {
    p: [
      'M8 21.5v-3.8a7.6 7.6 0 0 1-3.9-6.6A7.6 7.6 0 0 1 18.9 9l1.5 3.1a.8.8 0 0 1-.7 1.2h-1.3v2.5a2 2 0 0 1-2 2h-2v3.7',
      'M9.4 10.6a2.6 2.6 0 0 1 4.6-1.4M11 13.6a2.4 2.4 0 0 0 3.4-1.2',
    ],
  },
  vein: {
    p: [
      'M12 2c-2.3 3.3 2.3 6.7 0 10s-2.3 6.7 0 10',
      'M12.8 7.4c2.3-.3 4-1.7 5.2-4',
      'M11.2 16.4c-2.4.4-4.2 1.8-5.2 4.1',
      'M14.6 5.8c.6.8 1.5 1.2 2.6 1.4',
    ],
  },
  hair: {
    p: [
      'M3 21.5c2.6-1.4 5.6-2.1 9-2.1s6.4.7 9 2.1',
      'M7 19.8c-1-4.6.9-8.5-.6-13.6',
      'M12 19.4c-.6-5.8 1.6-9.8 0-16.4',
      'M17 19.8c1-4.6-.9-8.5.6-13.6',
    ],
  },
  scan: {
    r: [[2.5, 3.5, 19, 13, 3.5]],
    c: [[12, 10, 3.8]],
    p: ['M12 16.5v4M6 20.5h12'],
  },
  visit: {
    r: [[5, 4, 14, 17.5, 2], [9, 2.5, 6, 3.5, 1]],
    p: ['M9 13.3l2.1 2.1 4-4.4'],
  },
  // interface
  home: { p: ['M3 10.5 12 3l9 7.5', 'M5.5 9v11.5h13V9', 'M10 20.5v-5.5h4v5.5'] },
  back: { p: ['M19.5 12h-15', 'M10.5 5.5 4 12l6.5 6.5'] },
  search: { c: [[10.5, 10.5, 6.5]], p: ['M15.3 15.3 21 21'] },
  clock: { c: [[12, 12, 9]], p: ['M12 7v5l3.5 2'] },
  calendar: { r: [[3.5, 5, 17, 15.5, 2]], p: ['M3.5 9.5h17M8 3v4M16 3v4'] },
  reviewed: {
    p: ['M12 3 4.5 6v5.5c0 4.7 3.2 8.1 7.5 9.5 4.3-1.4 7.5-4.8 7.5-9.5V6z', 'M8.8 12.2l2.2 2.2 4.3-4.4'],
  },
  alert: { c: [[12, 12, 9.25]], p: ['M12 7v6.5', 'M12 16.6v.2'] },
  info: { c: [[12, 12, 9.25]], p: ['M12 10.8v6', 'M12 7.3v.2'] },
  help: { c: [[12, 12, 9.25]], p: ['M9.4 9.4a2.7 2.7 0 1 1 3.8 2.5c-.8.4-1.2 1-1.2 1.8v.5', 'M12 16.9v.2'] },
  phone: {
    p: [
      'M6 3.5h3l1.7 4.3-2.2 1.5a11.6 11.6 0 0 0 6.2 6.2l1.5-2.2 4.3 1.7v3a2 2 0 0 1-2 2A16.5 16.5 0 0 1 4 5.5a2 2 0 0 1 2-2z',
    ],
  },
  smartphone: { r: [[6.5, 2.5, 11, 19, 2.2]], p: ['M10.5 18.3h3'] },
  globe: {
    c: [[12, 12, 9]],
    p: ['M3 12h18', 'M12 3c2.4 2.5 3.7 5.5 3.7 9s-1.3 6.5-3.7 9c-2.4-2.5-3.7-5.5-3.7-9S9.6 5.5 12 3z'],
  },
  // A circle, its right half filled (kiosk.css fills .icon--contrast's path): high contrast.
  contrast: { p: ['M12 3a9 9 0 0 1 0 18z'], c: [[12, 12, 9]] },
  textSize: { p: ['M3 18.5 7.8 5.5l4.8 13', 'M4.7 14h6.2', 'M13.5 18.5l3.7-9 3.8 9', 'M14.8 15.5h4.9'] },
  chevronRight: { p: ['M9 5l7 7-7 7'] },
  chevronLeft: { p: ['M15 5l-7 7 7 7'] },
  arrowRight: { p: ['M4.5 12h15', 'M13.5 5.5 20 12l-6.5 6.5'] },
  close: { p: ['M6 6l12 12M18 6 6 18'] },
  link: { p: ['M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1', 'M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1'] },
  check: { c: [[12, 12, 9.25]], p: ['M7.8 12.4l2.8 2.8 5.6-6'] },
  lock: { r: [[4.5, 10.5, 15, 10.5, 2.2]], p: ['M8 10.5V7.5a4 4 0 0 1 8 0v3', 'M12 14.6v2.3'] },
  user: { c: [[12, 8, 4]], p: ['M4.5 20.5a7.5 7.5 0 0 1 15 0'] },
  users: { c: [[9, 8, 3.5]], p: ['M2.5 20a6.5 6.5 0 0 1 13 0', 'M15.5 4.8a3.5 3.5 0 0 1 0 6.4', 'M18 14.2a6.5 6.5 0 0 1 3.5 5.8'] },
  download: { p: ['M12 3.5v11', 'M7.5 10 12 14.5 16.5 10', 'M4.5 16.5v2.5a1.5 1.5 0 0 0 1.5 1.5h12a1.5 1.5 0 0 0 1.5-1.5v-2.5'] },
  history: { p: ['M3.8 12a8.2 8.2 0 1 0 2.4-5.8', 'M3.8 4.2v4h4', 'M12 7.5V12l3 2'] },
  pencil: { p: ['M4 20h4.2L19.3 8.9a2.2 2.2 0 0 0-3.1-3.1L5 17v3z', 'M14.5 7.5l3 3'] },
  inbox: { p: ['M3.5 13.5h5l1.5 2.5h4l1.5-2.5h5', 'M6 4.5h12l2.5 9v5.5a1.5 1.5 0 0 1-1.5 1.5H5a1.5 1.5 0 0 1-1.5-1.5v-5.5z'] },
  retry: { p: ['M19.5 12a7.5 7.5 0 1 1-2.2-5.3', 'M19.5 4v4.5H15'] },
  archive: { r: [[3, 4, 18, 4.5, 1.2]], p: ['M4.5 8.5V19a1.5 1.5 0 0 0 1.5 1.5h12a1.5 1.5 0 0 0 1.5-1.5V8.5', 'M10 12.5h4'] },
  document: { p: ['M6.5 2.8h7.2l4 4v14.4H6.5z', 'M13.5 2.8v4.2h4.2', 'M9.3 12h5.4M9.3 15.5h5.4'] },
  // on-screen keyboard
  keyboard: {
    r: [[2.5, 5.5, 19, 13, 2.2]],
    p: ['M6.5 9.3h.01M10.2 9.3h.01M13.8 9.3h.01M17.5 9.3h.01', 'M6.5 12.2h.01M10.2 12.2h.01M13.8 12.2h.01M17.5 12.2h.01', 'M8.5 15.2h7'],
  },
  keyboardHide: {
    r: [[2.5, 2.5, 19, 12, 2.2]],
    p: ['M6.5 6h.01M10.2 6h.01M13.8 6h.01M17.5 6h.01', 'M6.5 8.7h.01M10.2 8.7h.01M13.8 8.7h.01M17.5 8.7h.01', 'M8.5 11.5h7', 'M8.5 18.2 12 21.5l3.5-3.3'],
  },
  backspace: { p: ['M8.8 5h10.7a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8.8L2.5 12z', 'M11.8 9.3l5.4 5.4M17.2 9.3l-5.4 5.4'] },
  shift: { p: ['M12 3.8 3.8 12.5h4.4v7.2h7.6v-7.2h4.4z'] },
};

/**
 * Decorative icon: hidden from assistive technology; the text next to it carries the meaning.
 * @param {string} name one of ICONS (a document for any other)
 * @param {string} [className]
 * @returns {SVGSVGElement}
 */
export function icon(name, className = '') {
  /** @type {{ p?: string[], c?: number[][], r?: number[][] }} */
  const spec = /** @type {Record<string, any>} */ (ICONS)[name] ?? ICONS.document;
  const svg = document.createElementNS(SVG_NS, 'svg');
  const attrs = {
    viewBox: '0 0 24 24',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '1.8',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
    'aria-hidden': 'true',
    focusable: 'false',
    class: `icon ${className}`.trim(),
  };
  for (const [key, value] of Object.entries(attrs)) svg.setAttribute(key, value);
  for (const d of spec.p ?? []) add(svg, 'path', { d });
  for (const [cx, cy, r] of spec.c ?? []) add(svg, 'circle', { cx, cy, r });
  for (const [x, y, width, height, rx] of spec.r ?? []) add(svg, 'rect', { x, y, width, height, rx });
  return svg;
}

/**
 * @param {SVGElement} svg
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 */
function add(svg, tag, attrs) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  svg.append(element);
}
