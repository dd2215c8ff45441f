// @ts-check
// The page the kiosk embeds, bundled (issue #16): ui/ as written, except that ui/js's modules are
// joined by esbuild into a few minified files and the style sheets are minified. The start then
// fetches and parses 8 script files (70 KB) instead of 21 modules (146 KB), each fetched through
// Tauri's custom protocol: measured in BENCHMARKS.md ("One bundle instead of twenty modules").
//
//   node tools/bundle/bundle.mjs UI_DIR OUT_DIR
//
// src-tauri/build.rs runs this on every build and embeds OUT_DIR instead of ui/. The source stays
// plain modules (no build step to read, type-check or test it); only what ships is bundled.
//
// - js/main.js stays the entry's name, so index.html's <script type="module" src="js/main.js">
//   is unchanged. Modules the first screen imports share chunks (`js/chunk-HASH.js`); each
//   lazily loaded screen (`import()` in main.js) gets its own chunks, loaded when it is shown.
// - index.html's <link rel="modulepreload"> list (every source module of the first screen) is
//   replaced by the chunks js/main.js imports, followed through, so WebKit fetches them at once.
// - A classic script index.html loads itself (`<script src="js/...">`, not a module:
//   js/first-calls.js) is minified on its own.
// - Everything else (fonts, texts, index.html's other lines) is copied as it is.

import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * What the page's JavaScript may use: WebKitGTK 2.40 or newer (Debian 12 ships 2.50, Ubuntu
 * 22.04 2.44), which runs ES2022 as written, so esbuild rewrites no syntax.
 */
const TARGET = 'es2022';

/**
 * Bundles `ui` into `out` (removed first).
 * @param {string} ui the page's source folder (ui/)
 * @param {string} out where the bundled page goes
 * @returns {Promise<{ files: string[], preloads: string[] }>} what was written (paths under
 *   `out`, sorted) and the chunks index.html now preloads
 */
export async function bundle(ui, out) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // Fonts, texts and anything else the page loads as it is; scripts and styles are built below.
  for (const entry of readdirSync(ui, { withFileTypes: true })) {
    if (entry.name === 'js' || entry.name === 'css' || entry.name === 'index.html') continue;
    cpSync(join(ui, entry.name), join(out, entry.name), { recursive: true });
  }

  const scripts = await build({
    entryPoints: { main: join(ui, 'js', 'main.js') },
    outdir: join(out, 'js'),
    bundle: true,
    splitting: true,
    format: 'esm',
    target: TARGET,
    // Whitespace, comments and syntax, but not names: a script error in the staff log still
    // reads `screen.render is not a function` (in a file of one line). Mangled names would
    // save 20 % more bytes, well under a millisecond of parsing.
    minifyWhitespace: true,
    minifySyntax: true,
    chunkNames: 'chunk-[hash]',
    legalComments: 'none',
    metafile: true,
    logLevel: 'error',
  });
  // Classic scripts index.html loads itself (js/first-calls.js): minified alone, not bundled.
  const html = readFileSync(join(ui, 'index.html'), 'utf8');
  const classic = classicScripts(html);
  await build({
    entryPoints: classic.map((path) => join(ui, path)),
    outdir: join(out, 'js'),
    bundle: false,
    target: TARGET,
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'error',
  });
  const css = readdirSync(join(ui, 'css')).filter((name) => name.endsWith('.css'));
  await build({
    entryPoints: css.map((name) => join(ui, 'css', name)),
    outdir: join(out, 'css'),
    // Not bundled: url()s (the fonts) stay as written, relative to css/.
    bundle: false,
    minify: true,
    target: TARGET,
    logLevel: 'error',
  });

  const preloads = firstScreenChunks(scripts.metafile, join(out, 'js', 'main.js'));
  writeFileSync(join(out, 'index.html'), withPreloads(html, preloads));
  return { files: listFiles(out), preloads };
}

/**
 * The scripts index.html loads that are not modules (`<script src="js/...">` without
 * `type="module"`), outside comments, as paths from the page's root.
 * @param {string} html
 * @returns {string[]}
 */
export function classicScripts(html) {
  const tags = html.replace(/<!--[\s\S]*?-->/g, '').match(/<script\b[^>]*>/g) ?? [];
  return tags
    .filter((tag) => !/\btype\s*=\s*"module"/.test(tag))
    .map((tag) => tag.match(/\bsrc\s*=\s*"(js\/[^"]+)"/)?.[1])
    .filter((src) => src !== undefined);
}

/**
 * The chunks `entry` imports statically, followed through (not `import()`), as paths from the
 * page's root (`js/chunk-HASH.js`), in a stable order.
 * @param {import('esbuild').Metafile} metafile
 * @param {string} entry the entry's output path as esbuild wrote it
 */
function firstScreenChunks(metafile, entry) {
  const cwd = process.cwd();
  // esbuild's metafile names files relative to the working folder, with forward slashes.
  const posix = (/** @type {string} */ path) => path.split(sep).join('/');
  const key = posix(relative(cwd, entry));
  const outputs = metafile.outputs;
  if (!outputs[key]) throw new Error(`esbuild wrote no ${key}`);
  const seen = new Set();
  const queue = [key];
  while (queue.length) {
    const next = /** @type {string} */ (queue.pop());
    for (const imported of outputs[next]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !seen.has(imported.path)) {
        seen.add(imported.path);
        queue.push(imported.path);
      }
    }
  }
  const root = join(relative(cwd, entry), '..', '..');
  return [...seen].map((path) => posix(relative(root, path))).sort();
}

/**
 * index.html with its modulepreload links (the source modules) replaced by `preloads`, placed
 * where the first of them was. Fails if the page has none: then the list moved and this script
 * must follow it.
 * @param {string} html
 * @param {string[]} preloads
 */
export function withPreloads(html, preloads) {
  const lines = html.split('\n');
  const first = lines.findIndex((line) => /<link rel="modulepreload"/.test(line));
  if (first < 0) throw new Error('index.html has no <link rel="modulepreload"> lines to replace');
  const indent = /** @type {string} */ (lines[first].match(/^\s*/)?.[0]);
  const kept = lines.filter((line, i) => i < first || !/<link rel="modulepreload"/.test(line));
  kept.splice(first, 0, ...preloads.map((href) => `${indent}<link rel="modulepreload" href="${href}">`));
  return kept.join('\n');
}

/**
 * Every file under `dir`, as sorted paths relative to it.
 * @param {string} dir
 * @returns {string[]}
 */
function listFiles(dir) {
  // Walked by hand: readdirSync's entries name their folder (`parentPath`) only from Node
  // 20.12; Debian 12 ships 18.19.
  /** @type {string[]} */
  const files = [];
  const walk = (/** @type {string} */ at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(relative(dir, path));
    }
  };
  walk(dir);
  return files.sort();
}

// Run as a program (not imported by tests/js/bundle.test.js).
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const [ui, out] = process.argv.slice(2);
  if (!ui || !out) {
    console.error('usage: node tools/bundle/bundle.mjs UI_DIR OUT_DIR');
    process.exit(2);
  }
  try {
    const { files, preloads } = await bundle(ui, out);
    console.log(`bundled ${ui} into ${out}: ${files.length} files, ${preloads.length} chunks preloaded`);
  } catch (error) {
    // esbuild has already printed each error with its file and line.
    console.error(`bundling ${ui} failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
