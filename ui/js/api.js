// The only module that knows about Tauri: one small wrapper per command in docs/ipc.md.
// Every rejection is turned into { kind } so screens can branch on it; the raw message is
// logged for staff and never shown to a patient.

const KNOWN_KINDS = new Set(['invalidInput', 'notFound', 'unavailable', 'internal']);

async function call(command, args) {
  const invoke = window.__TAURI__?.core?.invoke;
  if (typeof invoke !== 'function') {
    throw new ApiError('unavailable');
  }
  try {
    return await invoke(command, args);
  } catch (raw) {
    const kind = raw && typeof raw === 'object' && KNOWN_KINDS.has(raw.kind) ? raw.kind : 'internal';
    // For staff and logs only.
    console.error(`command ${command} failed`, raw);
    throw new ApiError(kind);
  }
}

/** A failed command, reduced to the kind the UI branches on. */
export class ApiError extends Error {
  constructor(kind) {
    super(kind);
    this.kind = kind;
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
