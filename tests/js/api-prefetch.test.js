// @ts-check
// The home screen's topics asked for at start (issue #16): the first listTopics in the same
// language takes that answer, once; another language, a second call, or a call after the
// first screen (dropPrefetchedTopics) asks Rust again, so no screen shows an old answer.

import { test } from 'node:test';
import assert from 'node:assert/strict';

/** Every command the page sent, in order, and what Rust answered (a count per call). */
/** @type {{ command: string, args: any }[]} */
const sent = [];
Object.defineProperty(globalThis, 'window', { value: globalThis, configurable: true });
/** @type {any} */ (globalThis).__TAURI__ = {
  core: {
    invoke: async (/** @type {string} */ command, /** @type {any} */ args) => {
      sent.push({ command, args });
      if (args?.lang === 'xx') throw { kind: 'notFound', message: 'no such language' };
      return { answer: sent.length };
    },
  },
};

const api = await import('../../ui/js/api.js');

test('the first listTopics in the prefetched language takes the early answer, once', async () => {
  sent.length = 0;
  api.prefetchTopics('en');
  assert.equal(sent.length, 1, 'asked at once');
  assert.deepEqual(await api.listTopics('en'), { answer: 1 });
  assert.equal(sent.length, 1, 'not asked again');
  assert.deepEqual(await api.listTopics('en'), { answer: 2 }, 'the second call asks Rust');
});

test('another language asks Rust, and leaves the early answer for its own language', async () => {
  sent.length = 0;
  api.prefetchTopics('en');
  assert.deepEqual(await api.listTopics('es'), { answer: 2 });
  assert.deepEqual(sent[1], { command: 'list_topics', args: { lang: 'es' } });
  assert.deepEqual(await api.listTopics('en'), { answer: 1 });
  api.dropPrefetchedTopics();
});

test('after the first screen an unclaimed early answer is never handed out', async () => {
  sent.length = 0;
  api.prefetchTopics('en');
  api.dropPrefetchedTopics();
  assert.deepEqual(await api.listTopics('en'), { answer: 2 });
  assert.equal(sent.length, 2);
});

test('a failed early answer fails the screen that takes it, with its kind', async () => {
  sent.length = 0;
  api.prefetchTopics('xx');
  await assert.rejects(api.listTopics('xx'), (/** @type {any} */ error) => error instanceof api.ApiError && error.kind === 'notFound');
  assert.equal(sent.length, 1);
});
