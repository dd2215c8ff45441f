// @ts-check
// What the on-screen keyboard's keys do to a field's text, without the field: where a typed
// text goes and what Backspace deletes. Pure, so node --test checks it (tests/js/). Positions
// are UTF-16 indexes, as a field's selectionStart and selectionEnd are.

/**
 * The selection, start first; a field that has none (selectionStart null) is at its end.
 * @param {number} length the text's length
 * @param {number | null} selectionStart
 * @param {number | null} selectionEnd
 * @returns {[number, number]}
 */
export function selectionRange(length, selectionStart, selectionEnd) {
  const start = selectionStart ?? length;
  const end = selectionEnd ?? length;
  return [Math.min(start, end), Math.max(start, end)];
}

/**
 * Where typing `text` goes: over the selection (or at the caret), or nowhere (null) when the
 * field would pass its maxLength (negative: no limit).
 * @param {string} value
 * @param {[number, number]} range the selection
 * @param {string} text
 * @param {number} maxLength
 * @returns {[number, number] | null}
 */
export function insertion(value, [start, end], text, maxLength) {
  if (maxLength >= 0 && value.length - (end - start) + text.length > maxLength) return null;
  return [start, end];
}

/**
 * What Backspace deletes: the selection, or the one character before the caret (two UTF-16
 * units for a character outside the BMP, such as an emoji), or nothing (null) at the start.
 * @param {string} value
 * @param {[number, number]} range the selection
 * @returns {[number, number] | null}
 */
export function deletion(value, [start, end]) {
  if (start !== end) return [start, end];
  if (start === 0) return null;
  const before = value.codePointAt(start - 2);
  return [start - (before !== undefined && before > 0xffff ? 2 : 1), end];
}

/**
 * A key whose text has an upper and a lower case (a letter): Shift is used up by it, as on a phone.
 * @param {string} text
 */
export const hasCase = (text) => text.toLocaleLowerCase() !== text.toLocaleUpperCase();
