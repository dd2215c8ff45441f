// @ts-check
// The on-screen keyboard's editing (ui/js/components/text-editing.js): where typing goes,
// what Backspace deletes, when Shift is used up.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectionRange, insertion, deletion, hasCase } from '../../ui/js/components/text-editing.js';

/**
 * What the field holds after a key, as setRangeText(text, start, end, 'end') leaves it.
 * @param {string} value
 * @param {[number, number] | null} range
 * @param {string} text
 */
const edit = (value, range, text) => (range ? value.slice(0, range[0]) + text + value.slice(range[1]) : value);

test('a selection is ordered, and a field without one is at its end', () => {
  assert.deepEqual(selectionRange(5, 3, 1), [1, 3]);
  assert.deepEqual(selectionRange(5, 2, 2), [2, 2]);
  assert.deepEqual(selectionRange(5, null, null), [5, 5]);
});

test('typing goes at the caret, or over the selection', () => {
  assert.equal(edit('Ana', insertion('Ana', [3, 3], 's', -1), 's'), 'Anas');
  assert.equal(edit('Ana', insertion('Ana', [0, 0], 'L', -1), 'L'), 'LAna');
  assert.equal(edit('Ana López', insertion('Ana López', [4, 9], 'Ruiz', -1), 'Ruiz'), 'Ana Ruiz');
});

test('typing stops at the field’s maxlength, counting what the selection frees', () => {
  assert.equal(insertion('12345', [5, 5], '6', 5), null);
  assert.deepEqual(insertion('12345', [4, 5], '6', 5), [4, 5]);
  assert.deepEqual(insertion('1234', [4, 4], '5', 5), [4, 4]);
  assert.equal(insertion('1234', [4, 4], '56', 5), null);
});

test('Backspace deletes the selection, else one character before the caret', () => {
  assert.equal(edit('Ana', deletion('Ana', [3, 3]), ''), 'An');
  assert.equal(edit('Ana', deletion('Ana', [1, 1]), ''), 'na');
  assert.equal(edit('Ana López', deletion('Ana López', [0, 4]), ''), 'López');
  assert.equal(deletion('Ana', [0, 0]), null);
});

test('Backspace deletes a character outside the BMP whole, not half of it', () => {
  assert.equal(edit('ok😀', deletion('ok😀', [4, 4]), ''), 'ok');
  assert.equal(edit('😀', deletion('😀', [2, 2]), ''), '');
  assert.equal(edit('😀a', deletion('😀a', [3, 3]), ''), '😀');
  assert.equal(edit('ñ', deletion('ñ', [1, 1]), ''), '');
});

test('Shift is used up by a letter, not by a digit or a symbol', () => {
  for (const key of ['a', 'ñ', 'é', 'Z']) assert.equal(hasCase(key), true, key);
  for (const key of ['1', '-', "'", ' ', '+']) assert.equal(hasCase(key), false, key);
});
