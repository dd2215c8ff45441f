// @ts-check
// The one module the screens call Rust through: one small wrapper per command in docs/ipc.md
// (js/first-calls.js, a classic script, asks for the first screen's two answers before it).
// Every rejection is turned into { kind } so screens can branch on it; the raw message is
// logged for staff and never shown to a patient. Arguments are never logged: they may hold
// what a patient typed.

const KNOWN_KINDS = new Set(['invalidInput', 'notFound', 'unavailable', 'internal', 'unauthorized', 'locked', 'hardLocked', 'kioskLocked', 'forbidden', 'storageFull']);
/** Fields a form error may name (docs/ipc.md, submit_callback). */
const FORM_FIELDS = new Set(['name', 'phone', 'bestTime', 'language', 'note', 'consent', 'specialty', 'requestId']);

/**
 * A field of the callback form that Rust refused, with its code and a message for the patient.
 * @typedef {{ field: string, code: string, message: string }} FieldProblem
 */

/**
 * Runs a Rust command. The answers' shapes are Rust's (docs/ipc.md); they are not checked here.
 * @param {string} command
 * @param {Record<string, unknown>} [args]
 * @returns {Promise<any>}
 */
async function call(command, args) {
  const invoke = /** @type {any} */ (window).__TAURI__?.core?.invoke;
  if (typeof invoke !== 'function') {
    throw new ApiError('unavailable');
  }
  try {
    return await invoke(command, args);
  } catch (raw) {
    throw failed(command, raw);
  }
}

/**
 * Rust's refusal `raw` of `command` as an ApiError, logged for staff.
 * @param {string} command
 * @param {unknown} raw
 */
function failed(command, raw) {
  const kind = raw && typeof raw === 'object' && KNOWN_KINDS.has(/** @type {any} */ (raw).kind) ? /** @type {any} */ (raw).kind : 'internal';
  // For staff and logs only: the kind and Rust's own words, never the arguments.
  console.error(`command ${command} failed: ${kind}`, typeof raw === 'object' ? /** @type {any} */ (raw)?.message ?? '' : String(raw));
  return new ApiError(kind, raw);
}

/**
 * The answer js/first-calls.js asked for before the modules loaded, taken once and only for
 * the first screen (later calls ask Rust again: topics change when a content pack is
 * installed), or null.
 * @param {'appInfo' | 'topics'} name
 * @returns {Promise<any> | null}
 */
function takeFirstCall(name) {
  const first = /** @type {any} */ (window).__kioskFirstCalls;
  const answer = first?.[name];
  if (!answer) return null;
  first[name] = null;
  return answer;
}

/**
 * A failed command, reduced to what the UI branches on: `kind`, and for some commands
 * `fields` (form errors, each with a message made for the patient) and `retryAfterSecs`.
 */
export class ApiError extends Error {
  /**
   * @param {string} kind
   * @param {any} [raw] what Rust answered
   */
  constructor(kind, raw = null) {
    super(kind);
    this.kind = kind;
    /** @type {FieldProblem[]} */
    this.fields = Array.isArray(raw?.fields)
      ? raw.fields
          .filter((/** @type {any} */ f) => f && FORM_FIELDS.has(f.field))
          .map((/** @type {any} */ f) => ({ field: f.field, code: String(f.code ?? ''), message: String(f.message ?? '') }))
      : [];
    const wait = Number(raw?.retryAfterSecs);
    this.retryAfterSecs = Number.isFinite(wait) && wait > 0 ? Math.ceil(wait) : null;
    /** Rust's own words, for staff screens only (never a patient's): why input was refused. */
    this.detail = typeof raw?.message === 'string' ? raw.message : '';
  }
}

/**
 * Drops what js/first-calls.js asked for and the first screen did not take (main.js, once the
 * first screen is up): a front-desk laptop or a config-problem kiosk never asks for the
 * topics at start, and their next ask may come hours later.
 */
export function forgetFirstCalls() {
  // Left defined, so a first-calls.js that ran late (it is `async`) asks for nothing.
  /** @type {any} */ (window).__kioskFirstCalls = { appInfo: null, topics: null };
}

/** The app's details (docs/ipc.md); the first time, js/first-calls.js's answer. */
export const appInfo = () => takeFirstCall('appInfo')?.catch((raw) => Promise.reject(failed('app_info', raw))) ?? call('app_info');

/**
 * The topics in `lang`; the first time, js/first-calls.js's answer if it asked in `lang`.
 * @param {string} lang
 * @returns {Promise<any>}
 */
export async function listTopics(lang) {
  const first = takeFirstCall('topics');
  if (first) {
    try {
      const answer = await first;
      if (answer.lang === lang) return answer.topics;
    } catch {
      // Asked again below: this call's own failure is the one to report.
    }
  }
  return call('list_topics', { lang });
}

/**
 * @param {string | null | undefined} topic
 * @param {string} lang
 */
export const topicArticles = (topic, lang) => call('topic_articles', { topic, lang });

/**
 * @param {string} slug
 * @param {string | null} [topic]
 */
export const getArticle = (slug, topic) =>
  call('get_article', topic ? { slug, topic } : { slug });

/**
 * @param {string} query
 * @param {string} lang
 * @param {number} [limit]
 */
export const search = (query, lang, limit) =>
  call('search', limit ? { query, lang, limit } : { query, lang });

/**
 * @param {string} prefix
 * @param {string} lang
 */
export const suggest = (prefix, lang) => call('suggest', { prefix, lang });

// ---------- callbacks ----------

/** @param {string} lang */
export const callbackConfig = (lang) => call('callback_config', { lang });

export const newRequestId = () => call('new_request_id');

/**
 * form: { requestId, name, phone, bestTime, language, note, consent, consentVersion, specialty, topic, article }
 * @param {Record<string, unknown>} form
 */
export const submitCallback = (form) => call('submit_callback', { form });

// ---------- staff ----------

export const staffStatus = () => call('staff_status');

/**
 * @param {string} name
 * @param {string} pin
 */
export const staffUnlock = (name, pin) => call('staff_unlock', { name, pin });

/** @param {string | null} token */
export const staffLock = (token) => call('staff_lock', { token });

/**
 * Real staff activity (a touch or a key): keeps the session from ending for lack of use.
 * @param {string | null} token
 */
export const staffKeepalive = (token) => call('staff_keepalive', { token });

/**
 * @param {string | null} token
 * @param {string} status
 */
export const inboxList = (token, status) => call('inbox_list', { token, status });

/**
 * status and note are optional; leave one out to change only the other.
 * @param {string | null} token
 * @param {string} id
 * @param {{ status?: string | null, note?: string | null }} [change]
 */
export const requestUpdate = (token, id, { status = null, note = null } = {}) =>
  call('request_update', { token, id, status, note });

/** @param {string | null} token */
export const exportFolders = (token) => call('export_folders', { token });
/**
 * @param {string | null} token
 * @param {string} folder
 */
export const exportCallbacks = (token, folder) => call('export_callbacks', { token, folder });

/**
 * @param {string | null} token
 * @param {number} [limit=200]
 */
export const auditList = (token, limit = 200) => call('audit_list', { token, limit });

// ---- the kiosk shell (docs/ipc.md) ----
export const uiReady = () => call('ui_ready');
/**
 * @param {string} message
 * @param {string | null} source
 * @param {number | null} line
 */
export const reportUiError = (message, source, line) => call('report_ui_error', { message, source, line });
/** @param {string | null} token */
export const staffHealth = (token) => call('staff_health', { token });
/** @param {string | null} token */
export const staffLeaveKiosk = (token) => call('staff_leave_kiosk', { token });
/** @param {string | null} token */
export const staffQuit = (token) => call('staff_quit', { token });
/**
 * @param {string | null} token
 * @param {string} id
 * @param {string} destination
 */
export const deliveryRetry = (token, id, destination) => call('delivery_retry', { token, id, destination });
/** @param {string | null} token */
export const lanStatus = (token) => call('lan_status', { token });
/** @param {string | null} token */
export const lanShowCode = (token) => call('lan_show_code', { token });
/**
 * @param {string | null} token
 * @param {string} kioskId
 */
export const lanUnpairKiosk = (token, kioskId) => call('lan_unpair_kiosk', { token, kioskId });
/**
 * Laptop: offer the pack at `path` to one paired kiosk, or every one when kioskId is null.
 * @param {string | null} token
 * @param {string} path
 * @param {string | null} kioskId
 */
export const lanSendPack = (token, path, kioskId) => call('lan_send_pack', { token, path, kioskId });
/**
 * @param {string | null} token
 * @param {string} address
 * @param {string} code
 * @param {string} name
 */
export const lanPair = (token, address, code, name) => call('lan_pair', { token, address, code, name });
/** @param {string | null} token */
export const lanUnpair = (token) => call('lan_unpair', { token });
/** @param {string | null} token */
export const contentPacks = (token) => call('content_packs', { token });
/**
 * @param {string | null} token
 * @param {string} path
 */
export const contentImport = (token, path) => call('content_import', { token, path });

// ---- staff accounts (admin only) ----
/** @param {string | null} token */
export const staffAccounts = (token) => call('staff_accounts', { token });
/**
 * role: 'frontDesk' or 'admin'.
 * @param {string | null} token
 * @param {string} name
 * @param {string} pin
 * @param {string} role
 */
export const staffAccountAdd = (token, name, pin, role) => call('staff_account_add', { token, name, pin, role });
/**
 * @param {string | null} token
 * @param {string} name
 */
export const staffAccountUnlock = (token, name) => call('staff_account_unlock', { token, name });
/**
 * @param {string | null} token
 * @param {string} name
 */
export const staffAccountRemove = (token, name) => call('staff_account_remove', { token, name });

// ---------- reading aloud and the six keys (issue #13) ----------

/** Speech settings, the six keys and whether headphones are in. */
export const speechConfig = () => call('speech_config');
/**
 * Says `sentences` (never anything a patient typed, unless headphones are in).
 * @param {string[]} sentences
 * @param {string} lang
 * @param {string} rate 'normal' or 'slower'
 * @param {number} volume 0 to 100
 * @param {number} from the first sentence to say
 */
export const speechSpeak = (sentences, lang, rate, volume, from) => call('speech_speak', { sentences, lang, rate, volume, from });
export const speechStop = () => call('speech_stop');
export const speechPause = () => call('speech_pause');
export const speechResume = () => call('speech_resume');
export const speechStatus = () => call('speech_status');
