// @ts-check
// The callback form's rules, mirrored from src-tauri/callbacks/validate.rs for instant feedback.
// Rust is the authority: both are checked against one table of cases,
// tests/fixtures/form-rules.json. Where only Rust can know the answer (which phone numbers
// exist and in which country, the request id and the consent version it made), these rules
// give no code and Rust answers when the form is sent. Pure: no DOM, no texts.

/** Longest phone number anyone types, in characters (PHONE_INPUT_MAX in Rust). */
export const PHONE_INPUT_MAX = 32;

/**
 * What the rules are checked against, from callback_config.
 * @typedef {object} RuleContext
 * @property {number} nameMax most letters in a name
 * @property {number} noteMax most characters in a note
 * @property {string} phoneRegion ISO 3166 region of the clinic's phone numbers ("US")
 * @property {string[]} slots ids of the times of day a patient may choose
 * @property {string[]} specialties slugs of who may call back
 */

/**
 * The form's values, as the page reads them from its fields.
 * @typedef {object} FormValues
 * @property {string} name
 * @property {string} phone
 * @property {string} note
 * @property {boolean} consent
 * @property {string} specialty
 * @property {string} bestTime
 * @property {string} language
 */

/** The fields these rules check. */
export const CHECKED_FIELDS = /** @type {const} */ (['specialty', 'name', 'phone', 'bestTime', 'language', 'note', 'consent']);

/** Rust's `is_control`: C0/C1 controls, zero-width characters, bidirectional overrides and isolates, the BOM. */
const HIDDEN_CHARS = /[\p{Cc}\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u;
/** Rust's `char::is_whitespace` (the Unicode White_Space property; JS's \s differs). */
const SPACES = /\p{White_Space}+/u;
const EDGE_SPACES = /^\p{White_Space}+|\p{White_Space}+$/gu;
/** Rust's `char::is_alphabetic` (Unicode Alphabetic: letters, letter numbers, some marks). */
const ALPHABETIC = /\p{Alphabetic}/u;
/** Alphabetic, combining marks, and the punctuation names have. */
const NAME_CHARS = /^[\p{Alphabetic}\p{M} '’.-]+$/u;
/** Regions of the North American Numbering Plan that a clinic may be in. */
const NANP_REGIONS = ['US', 'CA'];

/** Rust's `str::trim`: White_Space at either end (JS's trim also takes U+FEFF, Rust's does not). */
const trim = (/** @type {string} */ text) => text.replace(EDGE_SPACES, '');

/** Characters, as Rust counts them (code points, not UTF-16 units). */
const length = (/** @type {string} */ text) => [...text].length;

/**
 * The first problem with `field`, as Rust's code for it, or null.
 * @param {string} field
 * @param {FormValues} form
 * @param {RuleContext} context
 * @returns {string | null}
 */
export function check(field, form, context) {
  switch (field) {
    case 'name':
      return checkName(form.name, context.nameMax);
    case 'phone':
      return checkPhone(form.phone, context.phoneRegion);
    case 'bestTime':
      return context.slots.includes(form.bestTime) ? null : 'required';
    case 'language':
      return ['en', 'es'].includes(form.language) ? null : 'required';
    case 'note':
      return checkNote(form.note, context.noteMax);
    case 'consent':
      return form.consent ? null : 'required';
    case 'specialty':
      return context.specialties.includes(form.specialty) ? null : 'unknown';
    default:
      return null;
  }
}

/**
 * @param {string} raw the name as typed
 * @param {number} max
 * @returns {string | null}
 */
export function checkName(raw, max) {
  const name = raw.normalize('NFC').split(SPACES).filter(Boolean).join(' ');
  if (!name) return 'required';
  if (length(name) > max) return 'tooLong';
  // A line break is a space between two words of the name; other controls are hidden junk.
  if (HIDDEN_CHARS.test(raw.replace(/[\r\n]/g, ''))) return 'invalidCharacters';
  if (!ALPHABETIC.test(name) || !NAME_CHARS.test(name)) return 'lettersOnly';
  return null;
}

/**
 * @param {string} text the note as typed
 * @param {number} max
 * @returns {string | null}
 */
export function checkNote(text, max) {
  const note = trim(text.normalize('NFC').replace(/[\n\t\r]/g, ' '));
  if (length(note) > max) return 'tooLong';
  if (HIDDEN_CHARS.test(note)) return 'invalidCharacters';
  if (/<[A-Za-z/!?]/.test(note)) return 'markup';
  return null;
}

/**
 * What can be told of a phone number without a numbering plan: 'required', 'letters',
 * 'invalid', or null (possibly valid: Rust decides, and whether it is foreign).
 * @param {string} input the number as typed
 * @param {string} region the clinic's region ("US")
 * @returns {string | null}
 */
export function checkPhone(input, region) {
  const raw = trim(input);
  if (!raw) return 'required';
  if (length(raw) > PHONE_INPUT_MAX || HIDDEN_CHARS.test(raw)) return 'invalid';
  if (ALPHABETIC.test(raw)) return 'letters';
  if (!/^[0-9 ().+-]+$/.test(raw)) return 'invalid';
  const digits = raw.replace(/\D/g, '');
  // "+", or "00" as most of the world dials out (Rust reads it as "+"): the country code follows.
  const international = raw.startsWith('+') || (raw.startsWith('00') && raw[2] !== '0');
  const number = international && !raw.startsWith('+') ? digits.slice(2) : digits;
  const nanp = NANP_REGIONS.includes(region);
  // "011", as North America dials out: another country's number, for Rust to read.
  if (nanp && !international && digits.startsWith('011')) return null;
  // No country's numbers are shorter, and E.164 allows no more.
  if (number.length < 6 || number.length > 15) return 'invalid';
  if (!nanp) return null;
  if (!international) return nanpShape(number.length === 11 && number.startsWith('1') ? number.slice(1) : number);
  // Country code 1: a number of the plan, so it has the plan's shape.
  return number.startsWith('1') ? nanpShape(number.slice(1)) : null;
}

/**
 * North American numbers are NXX NXX XXXX: ten digits, and neither the area code nor the
 * exchange starts with 0 or 1. Which area codes exist, and in which country, only Rust knows.
 * @param {string} national the ten digits after the country code
 * @returns {'invalid' | null}
 */
function nanpShape(national) {
  return /^[2-9]\d\d[2-9]\d{6}$/.test(national) ? null : 'invalid';
}
