// Building DOM without HTML strings: text always goes in as text nodes.

/**
 * h('a', { class: 'card', href, dataset: { test: 'x' }, onclick: fn }, child, ...)
 * Attributes set to null, undefined or false are left out; `true` sets an empty attribute.
 * Children may be nodes, strings, numbers, arrays or null.
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

export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child == null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Text hidden on screen but read by screen readers. */
export const srOnly = (text) => h('span', { class: 'sr-only' }, text);

let idCounter = 0;
export const uniqueId = (prefix) => `${prefix}-${++idCounter}`;
