// @ts-check
// The first screen's calls asked for before the modules load (issue #16): ui/js/first-calls.js
// asks `app_info`, then `list_topics` in its default language; api.js takes each answer once,
// asks Rust itself after that or for another language, and turns a failure into the same
// ApiError a call of its own would give. Rust's side is a recording stand-in here; the
// end-to-end journeys run both against the real app.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import * as api from '../../ui/js/api.js';

const source = readFileSync(new URL('../../ui/js/first-calls.js', import.meta.url), 'utf8');

/**
 * A window whose `invoke` records each command and answers from `answers` (an Error: refused
 * with `{ kind: 'unavailable' }`), with first-calls.js run in it.
 * @param {Record<string, unknown>} answers
 */
function pageWith(answers) {
  /** @type {{ command: string, args: unknown }[]} */
  const calls = [];
  const invoke = async (/** @type {string} */ command, /** @type {unknown} */ args) => {
    // Copied into this realm: first-calls.js runs in a context of its own (node:vm).
    calls.push({ command, args: args === undefined ? undefined : JSON.parse(JSON.stringify(args)) });
    const answer = answers[command];
    if (answer instanceof Error) throw { kind: 'unavailable', message: answer.message };
    return typeof answer === 'function' ? answer(args) : answer;
  };
  const window = { __TAURI__: { core: { invoke } } };
  vm.runInNewContext(source, { window });
  /** @type {any} */ (globalThis).window = window;
  return calls;
}

test('app_info, then the topics in its default language, are asked for at once', async () => {
  const calls = pageWith({ app_info: { defaultLang: 'es' }, list_topics: (/** @type {any} */ a) => [`topics in ${a.lang}`] });
  assert.deepEqual(await api.appInfo(), { defaultLang: 'es' });
  assert.deepEqual(await api.listTopics('es'), ['topics in es']);
  assert.deepEqual(calls, [
    { command: 'app_info', args: undefined },
    { command: 'list_topics', args: { lang: 'es' } },
  ]);
});

test('each early answer is used once; later calls ask Rust again', async () => {
  const calls = pageWith({ app_info: { defaultLang: 'en' }, list_topics: (/** @type {any} */ a) => [a.lang] });
  await api.appInfo();
  await api.listTopics('en');
  await api.appInfo();
  await api.listTopics('en');
  assert.deepEqual(
    calls.map((c) => c.command),
    ['app_info', 'list_topics', 'app_info', 'list_topics'],
  );
});

test('topics asked for in another language than the early ones are asked for again', async () => {
  const calls = pageWith({ app_info: { defaultLang: 'en' }, list_topics: (/** @type {any} */ a) => [a.lang] });
  await api.appInfo();
  assert.deepEqual(await api.listTopics('es'), ['es']);
  assert.deepEqual(calls.at(-1), { command: 'list_topics', args: { lang: 'es' } });
});

test('a refused early call reaches main.js as the ApiError its own call would give', async () => {
  let unhandled = 0;
  const count = () => unhandled++;
  process.on('unhandledRejection', count);
  try {
    const calls = pageWith({ app_info: new Error('no library'), list_topics: ['x'] });
    // Give the early failure time to become "unhandled" if nothing caught it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await assert.rejects(api.appInfo(), (/** @type {any} */ error) => error instanceof api.ApiError && error.kind === 'unavailable');
    // The topics never came early (app_info failed first), so they are asked for now.
    assert.deepEqual(await api.listTopics('en'), ['x']);
    assert.deepEqual(
      calls.map((c) => c.command),
      ['app_info', 'list_topics'],
    );
    assert.equal(unhandled, 0, 'an early failure must not be an unhandled rejection');
  } finally {
    process.off('unhandledRejection', count);
  }
});

test('without Tauri (a page opened in a browser) nothing is asked, and api.js says unavailable', async () => {
  /** @type {any} */ (globalThis).window = {};
  vm.runInNewContext(source, { window: /** @type {any} */ (globalThis).window });
  assert.equal(/** @type {any} */ (globalThis).window.__kioskFirstCalls, undefined);
  await assert.rejects(api.appInfo(), (/** @type {any} */ error) => error.kind === 'unavailable');
});

test('once the first screen is up, what it did not take is dropped, and a late first-calls.js asks nothing', async () => {
  const calls = pageWith({ app_info: { defaultLang: 'en' }, list_topics: (/** @type {any} */ a) => [`old ${a.lang}`] });
  await api.appInfo();
  // A front-desk laptop: no topics on its first screen.
  api.forgetFirstCalls();
  assert.deepEqual(await api.listTopics('en'), ['old en'], 'asked again, not the early answer');
  assert.deepEqual(
    calls.map((c) => c.command),
    ['app_info', 'list_topics', 'list_topics'],
  );
  // first-calls.js running after that (it is async) asks for nothing.
  const window = /** @type {any} */ (globalThis).window;
  vm.runInNewContext(source, { window });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(calls.length, 3);
});
