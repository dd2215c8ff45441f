// @ts-check
// The start (issue #16): index.html names every module the first screen needs with
// <link rel="modulepreload">, so WebKit fetches them all at once instead of discovering them one
// import level after another (main.js -> header.js -> search-box.js -> article-cards.js). The list
// must be exactly main.js's static imports, followed through: a module missing from it waits for
// its level again, and a lazily loaded screen in it would be fetched on every start for nothing.
// The fonts and texts it preloads must exist: a renamed file would be fetched twice, once for
// nothing (WebKit only warns). The app embeds this page bundled, with the bundle's chunks in
// the list's place (tests/js/bundle.test.js); a debug build without the bundler runs it as is.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

const ui = new URL('../../ui/', import.meta.url);

/**
 * The static imports of a module (`import ... from '...'` and `import '...'`, not `import()`),
 * as paths under ui/.
 * @param {string} path e.g. 'js/main.js'
 * @returns {string[]}
 */
function staticImports(path) {
  const source = readFileSync(new URL(path, ui), 'utf8');
  const found = [];
  for (const match of source.matchAll(/^\s*import\s+(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm)) {
    found.push(new URL(match[1], new URL(path, ui)).pathname.slice(ui.pathname.length));
  }
  return found;
}

/**
 * Every module `entry` loads before it runs, itself left out.
 * @param {string} entry
 */
function staticClosure(entry) {
  const seen = new Set();
  const queue = [entry];
  while (queue.length) {
    const next = /** @type {string} */ (queue.pop());
    for (const dep of staticImports(next)) {
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  seen.delete(entry);
  return seen;
}

const html = readFileSync(new URL('index.html', ui), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
const preloaded = [...html.matchAll(/<link\s+rel="modulepreload"\s+href="([^"]+)">/g)].map((m) => m[1]);

test('index.html preloads exactly the modules main.js imports, followed through', () => {
  const needed = staticClosure('js/main.js');
  assert.ok(needed.has('js/components/article-cards.js'), 'the closure follows imports of imports');
  assert.equal(new Set(preloaded).size, preloaded.length, 'a module is preloaded twice');
  assert.deepEqual([...preloaded].sort(), [...needed].sort());
});

test('a screen main.js loads later is not among them', () => {
  const main = readFileSync(new URL('js/main.js', ui), 'utf8');
  const later = [...main.matchAll(/import\('\.\/([^']+)'\)/g)].map((m) => `js/${m[1]}`);
  assert.ok(later.includes('js/screens/search.js'), 'main.js loads the search screen lazily');
  for (const module of later) assert.ok(!preloaded.includes(module), `${module} is loaded later, not at the start`);
});

test('every file index.html preloads is in ui/, and every font kiosk.css names is preloaded', () => {
  const preloads = [...html.matchAll(/<link\s+rel="preload"\s+href="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(preloads.length >= 4, 'the two fonts and the two dictionaries');
  for (const href of preloads) assert.ok(existsSync(new URL(href, ui)), `ui/${href} does not exist`);
  const css = readFileSync(new URL('css/kiosk.css', ui), 'utf8');
  const fonts = [...css.matchAll(/url\('\.\.\/(fonts\/[^']+)'\)/g)].map((m) => m[1]);
  assert.equal(fonts.length, 2);
  for (const font of fonts) assert.ok(preloads.includes(font), `${font} is not preloaded`);
});
