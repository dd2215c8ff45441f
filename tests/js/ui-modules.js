// @ts-check
// Loaded first by scripts/check-js (node --import): Node reads a .js file as CommonJS unless a
// package.json says "type": "module" (Node 20.19 and later also detect ES module syntax). ui/js
// has no package.json, as it ships as the app's pages, so this hook tells Node its files are
// ES modules, on older Node versions too.

import { register } from 'node:module';

register('./ui-modules-hooks.js', import.meta.url);
