// @ts-check
// A full disk on the callback form (issue #16): Rust answers `storageFull` (tests/disk_full.rs
// checks that on a real filled filesystem); the page turns that kind, and only that kind, into
// the calm "ask at the front desk" text, in English and in Spanish, without a "try again".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { failureKey } from '../../ui/js/screens/callback-submit.js';

/** @param {string} lang */
const dictionary = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), 'utf8'));

test('storageFull has its own words; every other failure keeps the general ones', () => {
  assert.equal(failureKey('storageFull'), 'callback.storageFull');
  for (const kind of ['internal', 'unavailable', 'notFound', undefined]) {
    assert.equal(failureKey(kind), 'callback.failed', String(kind));
  }
});

test('the full-disk words send the patient to the front desk in both languages', () => {
  const en = dictionary('en').callback.storageFull;
  const es = dictionary('es').callback.storageFull;
  assert.match(en, /could not save your request/);
  assert.match(en, /ask at the front desk/);
  assert.match(es, /No pudimos guardar su solicitud/);
  assert.match(es, /pregunte en la recepción/);
  for (const text of [en, es]) {
    assert.doesNotMatch(text, /disk|disco|try again|inténtelo/i, 'nothing technical, no retry: it will not pass by itself');
  }
});

test('staff read the disk state and a recovered database in both languages', () => {
  for (const lang of ['en', 'es']) {
    const health = dictionary(lang).health;
    for (const key of ['diskFull', 'diskLow']) assert.equal(typeof health[key], 'string', `${lang} health.${key}`);
    for (const form of ['one', 'other']) {
      assert.match(health.kioskRecovered[form], /\{count\}.*\{file\}/s, `${lang} health.kioskRecovered.${form}`);
    }
  }
});
