// @ts-check
// PIN fields and the PIN rules, shared by the PIN screen and the staff accounts panel.
//
// Rust is the authority on PINs (it also refuses the clinic's own phone digits, which the page
// does not know); these checks only say what is wrong in the screen's language before asking.

import { h } from '../dom.js';

export const PIN_MAX = 12;
/** The fewest digits a PIN may have when staff_status does not say (it never asks for fewer). */
export const PIN_MIN_DEFAULT = 6;

/** A password field that keeps only digits, up to PIN_MAX, whichever keys typed them. */
/** @param {string} id */
export function pinInput(id) {
  const input = h('input', {
    id,
    class: 'field__input field__input--pin',
    type: 'password',
    inputmode: 'numeric',
    autocomplete: 'off',
    maxlength: String(PIN_MAX),
    'aria-required': 'true',
  });
  input.addEventListener('input', () => {
    const digits = input.value.replace(/\D/g, '').slice(0, PIN_MAX);
    if (digits !== input.value) input.value = digits;
  });
  return input;
}

/**
 * Why a new PIN would be refused, or null: 'pinLength', 'pinRepeated' (one digit repeated),
 * 'pinRun' (123456, 654321, also wrapping as 890123), 'pinPattern' (two or three digits
 * repeated, as 121212 or 1231231). The same rules as check_pin in src-tauri/callbacks/staff.rs.
 * @param {string} pin
 * @param {number} [minDigits]
 */
export function pinProblem(pin, minDigits = PIN_MIN_DEFAULT) {
  if (!/^\d+$/.test(pin) || pin.length < minDigits || pin.length > PIN_MAX) return 'pinLength';
  const digits = [...pin].map(Number);
  if (digits.every((d) => d === digits[0])) return 'pinRepeated';
  for (const step of [1, 9]) {
    if (digits.every((d, i) => i === 0 || d === (digits[i - 1] + step) % 10)) return 'pinRun';
  }
  for (const period of [2, 3]) {
    if (digits.every((d, i) => d === digits[i % period])) return 'pinPattern';
  }
  return null;
}
