// The only module that knows about Tauri: one small wrapper per command in docs/ipc.md.
// Every rejection is turned into { kind } so screens can branch on it; the raw message is
// logged for staff and never shown to a patient. Arguments are never logged: they may hold
// what a patient typed.

const KNOWN_KINDS = new Set(['invalidInput', 'notFound', 'unavailable', 'internal', 'unauthorized', 'locked', 'hardLocked', 'kioskLocked', 'forbidden']);
/** Fields a form error may name (docs/ipc.md, submit_callback). */
const FORM_FIELDS = new Set(['name', 'phone', 'bestTime', 'language', 'note', 'consent', 'specialty', 'requestId']);

async function call(command, args) {
  const invoke = window.__TAURI__?.core?.invoke;
  if (typeof invoke !== 'function') {
    throw new ApiError('unavailable');
  }
  try {
    return await invoke(command, args);
  } catch (raw) {
    const kind = raw && typeof raw === 'object' && KNOWN_KINDS.has(raw.kind) ? raw.kind : 'internal';
    // For staff and logs only: the kind and Rust's own words, never the arguments.
    console.error(`command ${command} failed: ${kind}`, typeof raw === 'object' ? raw?.message ?? '' : String(raw));
    throw new ApiError(kind, raw);
  }
}

/**
 * A failed command, reduced to what the UI branches on: `kind`, and for some commands
 * `fields` (form errors, each with a message made for the patient) and `retryAfterSecs`.
 */
export class ApiError extends Error {
  constructor(kind, raw = null) {
    super(kind);
    this.kind = kind;
    this.fields = Array.isArray(raw?.fields)
      ? raw.fields
          .filter((f) => f && FORM_FIELDS.has(f.field))
          .map((f) => ({ field: f.field, code: String(f.code ?? ''), message: String(f.message ?? '') }))
      : [];
    const wait = Number(raw?.retryAfterSecs);
    this.retryAfterSecs = Number.isFinite(wait) && wait > 0 ? Math.ceil(wait) : null;
    /** Rust's own words, for staff screens only (never a patient's): why input was refused. */
    this.detail = typeof raw?.message === 'string' ? raw.message : '';
  }
}

export const appInfo = () => call('app_info');

export const listTopics = (lang) => call('list_topics', { lang });

export const topicArticles = (topic, lang) => call('topic_articles', { topic, lang });

export const getArticle = (slug, topic) =>
  call('get_article', topic ? { slug, topic } : { slug });

export const search = (query, lang, limit) =>
  call('search', limit ? { query, lang, limit } : { query, lang });

export const suggest = (prefix, lang) => call('suggest', { prefix, lang });

// ---------- callbacks ----------

export const callbackConfig = (lang) => call('callback_config', { lang });

export const newRequestId = () => call('new_request_id');

/** form: { requestId, name, phone, bestTime, language, note, consent, consentVersion, specialty, topic, article } */
export const submitCallback = (form) => call('submit_callback', { form });

// ---------- staff ----------

export const staffStatus = () => call('staff_status');

export const staffUnlock = (name, pin) => call('staff_unlock', { name, pin });

export const staffLock = (token) => call('staff_lock', { token });

/** Real staff activity (a touch or a key): keeps the session from ending for lack of use. */
export const staffKeepalive = (token) => call('staff_keepalive', { token });

export const inboxList = (token, status) => call('inbox_list', { token, status });

/** status and note are optional; leave one out to change only the other. */
export const requestUpdate = (token, id, { status = null, note = null } = {}) =>
  call('request_update', { token, id, status, note });

export const exportFolders = (token) => call('export_folders', { token });
export const exportCallbacks = (token, folder) => call('export_callbacks', { token, folder });

export const auditList = (token, limit = 200) => call('audit_list', { token, limit });

// ---- the kiosk shell (docs/ipc.md) ----
export const uiReady = () => call('ui_ready');
export const reportUiError = (message, source, line) => call('report_ui_error', { message, source, line });
export const staffHealth = (token) => call('staff_health', { token });
export const staffLeaveKiosk = (token) => call('staff_leave_kiosk', { token });
export const staffQuit = (token) => call('staff_quit', { token });
export const deliveryRetry = (token, id, destination) => call('delivery_retry', { token, id, destination });
export const lanStatus = (token) => call('lan_status', { token });
export const lanShowCode = (token) => call('lan_show_code', { token });
export const lanUnpairKiosk = (token, kioskId) => call('lan_unpair_kiosk', { token, kioskId });
export const lanPair = (token, address, code, name) => call('lan_pair', { token, address, code, name });
export const lanUnpair = (token) => call('lan_unpair', { token });
export const contentPacks = (token) => call('content_packs', { token });
export const contentImport = (token, path) => call('content_import', { token, path });

// ---- staff accounts (admin only) ----
export const staffAccounts = (token) => call('staff_accounts', { token });
/** role: 'frontDesk' or 'admin'. */
export const staffAccountAdd = (token, name, pin, role) => call('staff_account_add', { token, name, pin, role });
export const staffAccountUnlock = (token, name) => call('staff_account_unlock', { token, name });
export const staffAccountRemove = (token, name) => call('staff_account_remove', { token, name });
