// @ts-check
// The callback form's own rules (ui/js/screens/callback-rules.js) against the table of cases
// that Rust's validator is checked against too (tests/fixtures/form-rules.json, read by
// tests/callback_validation.rs): the page gives Rust's code for every case, except where only
// Rust can know (the case says why), and there it gives no code rather than another one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { check, checkPhone, CHECKED_FIELDS } from '../../ui/js/screens/callback-rules.js';

/**
 * @typedef {object} Case
 * @property {string} what
 * @property {string} field
 * @property {string | boolean} input
 * @property {number} [repeat]
 * @property {Record<string, string | boolean>} [also]
 * @property {string} [errorField]
 * @property {string | null} code
 * @property {string} [jsLeavesToRust]
 */

/** @type {{ context: import('../../ui/js/screens/callback-rules.js').RuleContext, valid: Record<string, string | boolean>, cases: Case[] }} */
const table = JSON.parse(readFileSync(new URL('../fixtures/form-rules.json', import.meta.url), 'utf8'));

/**
 * The valid form with the case's change, as the page's fields would hold it.
 * @param {Case} c
 * @returns {import('../../ui/js/screens/callback-rules.js').FormValues}
 */
function formOf(c) {
  const input = typeof c.input === 'string' && c.repeat ? c.input.repeat(c.repeat) : c.input;
  const form = { ...table.valid, [c.field]: input, ...(c.also ?? {}) };
  return /** @type {any} */ (form);
}

/**
 * Every problem the page finds, as [field, code].
 * @param {import('../../ui/js/screens/callback-rules.js').FormValues} form
 */
function problems(form) {
  return CHECKED_FIELDS.flatMap((field) => {
    const code = check(field, form, table.context);
    return code ? [[field, code]] : [];
  });
}

test('the valid form passes', () => {
  assert.deepEqual(problems(formOf({ what: 'nothing changed', field: 'note', input: String(table.valid.note), code: null })), []);
});

test("every case gives Rust's code, or none where only Rust can know", () => {
  const wrong = [];
  for (const c of table.cases) {
    const expected = c.code ? [[c.errorField ?? c.field, c.code]] : [];
    const got = problems(formOf(c));
    const ok = c.jsLeavesToRust ? got.length === 0 || JSON.stringify(got) === JSON.stringify(expected) : JSON.stringify(got) === JSON.stringify(expected);
    if (!ok) wrong.push(`${c.what}: got ${JSON.stringify(got)}, Rust gives ${JSON.stringify(expected)}`);
  }
  assert.deepEqual(wrong, []);
});

test('the cases left to Rust say why', () => {
  for (const c of table.cases.filter((each) => 'jsLeavesToRust' in each)) {
    assert.ok(typeof c.jsLeavesToRust === 'string' && c.jsLeavesToRust.length > 0, c.what);
  }
});

test('a region outside North America gets only the rules that need no numbering plan', () => {
  assert.equal(checkPhone('', 'MX'), 'required');
  assert.equal(checkPhone('55 CALL', 'MX'), 'letters');
  assert.equal(checkPhone('12345', 'MX'), 'invalid');
  assert.equal(checkPhone('55 1234 5678', 'MX'), null);
  assert.equal(checkPhone('0044 20 7946 0958', 'MX'), null);
});
