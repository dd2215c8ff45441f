// @ts-check
// The router's addresses (ui/js/router.js): what each hash means, and the hashes the app
// writes, which read back as the same screen.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as router from '../../ui/js/router.js';

const { parse } = router;

test('each address names its screen and parameters', () => {
  assert.deepEqual(parse(''), { name: 'home', params: {} });
  assert.deepEqual(parse('#/'), { name: 'home', params: {} });
  assert.deepEqual(parse('#/topic/spine-care'), { name: 'topic', params: { slug: 'spine-care' } });
  assert.deepEqual(parse('#/article/herniated-disc'), { name: 'article', params: { slug: 'herniated-disc', topic: null } });
  assert.deepEqual(parse('#/article/herniated-disc?topic=spine-care'), { name: 'article', params: { slug: 'herniated-disc', topic: 'spine-care' } });
  assert.deepEqual(parse('#/search?q=back%20pain'), { name: 'search', params: { q: 'back pain' } });
  assert.deepEqual(parse('#/search'), { name: 'search', params: { q: '' } });
  assert.deepEqual(parse('#/callback'), { name: 'callback', params: { specialty: null, topic: null, article: null } });
  assert.deepEqual(parse('#/callback?specialty=spine&article=herniated-disc'), {
    name: 'callback',
    params: { specialty: 'spine', topic: null, article: 'herniated-disc' },
  });
  assert.deepEqual(parse('#/thanks'), { name: 'thanks', params: { outcome: 'received' } });
  assert.deepEqual(parse('#/staff'), { name: 'staff', params: {} });
});

test('anything else is not found', () => {
  for (const hash of ['#/nowhere', '#/topic', '#/topic/a/b', '#/article', '#/search/x', '#/staff/inbox', '#/callback/x']) {
    assert.deepEqual(parse(hash), { name: 'notFound', params: {} }, hash);
  }
});

test('escaped and badly escaped slugs', () => {
  assert.deepEqual(parse('#/topic/caf%C3%A9'), { name: 'topic', params: { slug: 'café' } });
  // A broken escape is kept as typed, not thrown.
  assert.deepEqual(parse('#/topic/%E0%A4%A'), { name: 'topic', params: { slug: '%E0%A4%A' } });
  // Empty parameters count as none.
  assert.deepEqual(parse('#/article/x?topic='), { name: 'article', params: { slug: 'x', topic: null } });
});

test('the addresses the app writes', () => {
  assert.equal(router.hrefHome(), '#/');
  assert.equal(router.hrefTopic('spine care'), '#/topic/spine%20care');
  assert.equal(router.hrefArticle('a/b'), '#/article/a%2Fb');
  assert.equal(router.hrefArticle('disc', 'spine'), '#/article/disc?topic=spine');
  assert.equal(router.hrefSearch(''), '#/search');
  assert.equal(router.hrefSearch('dolor & espalda'), '#/search?q=dolor%20%26%20espalda');
  assert.equal(router.hrefCallback(), '#/callback');
  assert.equal(router.hrefCallback({ specialty: 'spine', topic: null, article: 'disc' }), '#/callback?specialty=spine&article=disc');
  assert.equal(router.hrefThanks('received'), '#/thanks');
  assert.equal(router.hrefThanks('other'), '#/thanks?outcome=other');
  assert.equal(router.hrefStaff(), '#/staff');
});

test('every address the app writes reads back as the same screen', () => {
  const slug = 'dolor de espalda/ñ?&#';
  assert.deepEqual(parse(router.hrefTopic(slug)).params, { slug });
  assert.deepEqual(parse(router.hrefArticle(slug, 'a&b=c')).params, { slug, topic: 'a&b=c' });
  assert.deepEqual(parse(router.hrefSearch('a+b c?d#e')).params, { q: 'a+b c?d#e' });
  assert.deepEqual(parse(router.hrefCallback({ specialty: 'x y', topic: 't', article: null })).params, { specialty: 'x y', topic: 't', article: null });
  assert.deepEqual(parse(router.hrefThanks('received')).params, { outcome: 'received' });
});

test('a history write the browser refuses (WebKit: about 100 in 10 s) is skipped, not thrown', () => {
  /** @type {unknown[][]} */
  const calls = [];
  const refusing = {
    pushState() {
      throw Object.assign(new Error('Attempt to use history.pushState() more than 100 times per 10 seconds'), { name: 'SecurityError' });
    },
    replaceState(/** @type {unknown} */ state, /** @type {string} */ _title, /** @type {string | undefined} */ url) {
      calls.push([state, url]);
    },
  };
  assert.equal(router.writeHistory('push', { index: 1 }, '#/search', refusing), false);
  assert.equal(router.writeHistory('replace', { index: 1 }, '#/', refusing), true);
  assert.deepEqual(calls, [[{ index: 1 }, '#/']]);
  const broken = {
    pushState() {
      throw new TypeError('not a state');
    },
    replaceState() {},
  };
  assert.throws(() => router.writeHistory('push', {}, '#/', broken), TypeError, 'other errors still surface');
});
