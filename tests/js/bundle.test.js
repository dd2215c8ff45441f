// @ts-check
// The bundled page the kiosk embeds (issue #16; tools/bundle/bundle.mjs, run by
// src-tauri/build.rs): the first screen's chunks are all preloaded and nothing loaded later is,
// every file the page names is there, and the rest of ui/ is copied unchanged. What the bundle
// does in the page is what the end-to-end journeys use (debug builds embed it too).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, classicScripts, withPreloads } from '../../tools/bundle/bundle.mjs';

const ui = fileURLToPath(new URL('../../ui/', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'kiosk-bundle-'));
const built = await bundle(ui, out);
process.on('exit', () => rmSync(out, { recursive: true, force: true }));

const html = readFileSync(join(out, 'index.html'), 'utf8');
const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);

/**
 * The chunks a bundled file imports statically (`import ... from"./x.js"`, `import"./x.js"`),
 * read from the minified output itself rather than from esbuild's own account of it.
 * @param {string} path under out/
 * @returns {string[]}
 */
function staticImports(path) {
  const source = readFileSync(join(out, path), 'utf8');
  return [...source.matchAll(/(?:\bfrom|\bimport)\s*"\.\/([^"]+)"/g)].map((m) => `js/${m[1]}`);
}

test('index.html still starts js/main.js, and preloads exactly the chunks it imports, followed through', () => {
  assert.match(html, /<script type="module" src="js\/main\.js"><\/script>/);
  const needed = new Set();
  const queue = ['js/main.js'];
  while (queue.length) {
    for (const dep of staticImports(/** @type {string} */ (queue.pop()))) {
      if (!needed.has(dep)) {
        needed.add(dep);
        queue.push(dep);
      }
    }
  }
  assert.ok(needed.size > 0, 'main.js imports shared chunks');
  assert.deepEqual([...preloaded].sort(), [...needed].sort());
  assert.deepEqual(built.preloads, preloaded);
  for (const href of preloaded) assert.ok(existsSync(join(out, href)), `${href} is preloaded but was not written`);
});

test('the screens main.js loads later stay out of the start: their chunks are not preloaded', () => {
  const main = readFileSync(join(out, 'js/main.js'), 'utf8');
  const later = [...main.matchAll(/import\(\s*"\.\/([^"]+)"\s*\)/g)].map((m) => `js/${m[1]}`);
  assert.ok(later.length >= 6, `main.js loads its six later screens with import(): ${later.join(', ')}`);
  for (const chunk of later) {
    assert.ok(existsSync(join(out, chunk)), `${chunk} is imported but was not written`);
    assert.ok(!preloaded.includes(chunk), `${chunk} is loaded later, not at the start`);
  }
});

test('the scripts are minified and smaller than the modules they came from', () => {
  const size = (/** @type {string} */ dir) =>
    readdirSync(dir, { recursive: true })
      .map((name) => join(dir, String(name)))
      .filter((path) => statSync(path).isFile())
      .reduce((sum, path) => sum + statSync(path).size, 0);
  assert.ok(size(join(out, 'js')) < size(join(ui, 'js')) * 0.7, 'the bundle should be well under the sources');
  const main = readFileSync(join(out, 'js/main.js'), 'utf8');
  assert.ok(!main.includes('@typedef'), 'comments are left out');
});

test('styles are minified, and every file they and index.html name is in the bundle', () => {
  for (const name of readdirSync(join(ui, 'css'))) {
    const source = readFileSync(join(ui, 'css', name), 'utf8');
    const minified = readFileSync(join(out, 'css', name), 'utf8');
    assert.ok(minified.length < source.length, `css/${name} is not smaller`);
    for (const m of minified.matchAll(/url\(["']?([^"')]+)["']?\)/g)) {
      if (m[1].startsWith('data:')) continue;
      assert.ok(existsSync(join(out, 'css', m[1])), `css/${name} names ${m[1]}, which is not in the bundle`);
    }
  }
  const named = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]).filter((href) => !href.startsWith('data:') && !href.startsWith('#'));
  assert.ok(named.length >= 8);
  for (const href of named) assert.ok(existsSync(join(out, href)), `index.html names ${href}, which is not in the bundle`);
});

test('fonts and texts are copied as they are, and no source module ships beside the bundle', () => {
  for (const dir of ['fonts', 'i18n']) {
    for (const name of readdirSync(join(ui, dir))) {
      assert.deepEqual(readFileSync(join(out, dir, name)), readFileSync(join(ui, dir, name)), `${dir}/${name} changed`);
    }
  }
  assert.ok(!built.files.includes('js/api.js') && !built.files.some((f) => f.startsWith('js/screens/')));
});

test('a page whose preload list moved is refused instead of shipping without one', () => {
  assert.throws(() => withPreloads('<head>\n<script type="module" src="js/main.js"></script>\n</head>', ['js/chunk-A.js']), /no <link rel="modulepreload">/);
  const page = '<head>\n  <link rel="modulepreload" href="js/a.js">\n  <link rel="modulepreload" href="js/b.js">\n</head>';
  assert.equal(withPreloads(page, ['js/chunk-A.js']), '<head>\n  <link rel="modulepreload" href="js/chunk-A.js">\n</head>');
});

test('the classic scripts index.html loads are found however the tag is written, and only those', () => {
  assert.deepEqual(classicScripts(readFileSync(join(ui, 'index.html'), 'utf8')), ['js/first-calls.js']);
  const page = [
    '<!-- <script src="js/old.js"></script> -->',
    '<script async src="js/a.js"></script>',
    '<script src = "js/b.js" defer></script>',
    '<script type="module" src="js/main.js"></script>',
    '<script src="js/c.js" type="module"></script>',
  ].join('\n');
  assert.deepEqual(classicScripts(page), ['js/a.js', 'js/b.js']);
  assert.ok(existsSync(join(out, 'js/first-calls.js')) && readFileSync(join(out, 'js/first-calls.js'), 'utf8').includes('__kioskFirstCalls'));
});
