// @ts-check
// Building DOM without HTML strings: text always goes in as text nodes.

/**
 * An attribute's value: null, undefined and false leave it out, true sets it empty. `dataset`
 * takes an object, `class` a string or a list (falsy entries dropped), `on<event>` a handler.
 * @typedef {Record<string, any>} Attrs
 */

/**
 * What may go inside an element: nodes, text, numbers, nested lists; null and false are skipped.
 * @typedef {Node | string | number | null | undefined | false | Child[]} Child
 */

/**
 * h('a', { class: 'card', href, dataset: { test: 'x' }, onclick: fn }, child, ...)
 * Attributes set to null, undefined or false are left out; `true` sets an empty attribute.
 * Children may be nodes, strings, numbers, arrays or null.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (name === 'dataset') {
      for (const [key, data] of Object.entries(value)) {
        if (data != null) element.dataset[key] = String(data);
      }
    } else if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      element.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/**
 * @template {Element} E
 * @param {E} parent
 * @param {Child} children
 * @returns {E}
 */
export function append(parent, children) {
  for (const child of /** @type {unknown[]} */ ([children]).flat(Infinity)) {
    if (child == null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Text hidden on screen but read by screen readers. */
export const srOnly = (/** @type {string} */ text) => h('span', { class: 'sr-only' }, text);

let idCounter = 0;
export const uniqueId = (/** @type {string} */ prefix) => `${prefix}-${++idCounter}`;
