// @ts-check
// Hash routes, with our own position in history so Back knows whether there is a screen to
// return to inside the kiosk:
//   #/                          home
//   #/topic/<slug>              topic page
//   #/article/<slug>?topic=<t>  article, optionally reached from topic <t> (for previous/next)
//   #/search?q=<words>          search
//   #/callback?specialty=<s>&topic=<t>&article=<a>   the callback form (every part optional)
//   #/thanks?outcome=<o>        after a callback request: always received (a duplicate gets the same screen)
//   #/staff                     the staff view: how to set it up (no account yet), PIN, or the inbox

/**
 * A screen and what the address says of it.
 * @typedef {{ name: string, params: Record<string, any> }} Route
 */
/** @typedef {(route: Route, options: { restoreScroll: number }) => void} RouteListener */

/** @type {RouteListener} */
let listener = () => {};
let index = 0;
/** @type {string | null} */
let lastHash = null;
/**
 * Every history entry carries the generation it was made in. An idle reset starts a new one:
 * entries from before it (the last patient's path) can no longer be reached with Back.
 */
let generation = Date.now();
const entry = (scroll = 0) => ({ index, scroll, gen: generation });

/**
 * The screen an address names: 'home', 'topic', 'article', 'search', 'callback', 'thanks',
 * 'staff' or 'notFound', and its parameters.
 * @param {string} [hash] location.hash by default
 * @returns {Route}
 */
export function parse(hash = location.hash) {
  const raw = hash.replace(/^#/, '');
  const [path, queryString = ''] = raw.split('?');
  const query = new URLSearchParams(queryString);
  const parts = path.split('/').filter(Boolean).map(safeDecode);
  if (parts.length === 0) return { name: 'home', params: {} };
  if (parts[0] === 'topic' && parts.length === 2) return { name: 'topic', params: { slug: parts[1] } };
  if (parts[0] === 'article' && parts.length === 2) {
    return { name: 'article', params: { slug: parts[1], topic: query.get('topic') || null } };
  }
  if (parts[0] === 'search' && parts.length === 1) return { name: 'search', params: { q: query.get('q') ?? '' } };
  if (parts[0] === 'callback' && parts.length === 1) {
    return {
      name: 'callback',
      params: {
        specialty: query.get('specialty') || null,
        topic: query.get('topic') || null,
        article: query.get('article') || null,
      },
    };
  }
  if (parts[0] === 'thanks' && parts.length === 1) return { name: 'thanks', params: { outcome: query.get('outcome') || 'received' } };
  if (parts[0] === 'staff' && parts.length === 1) return { name: 'staff', params: {} };
  return { name: 'notFound', params: {} };
}

/** @param {string} part */
function safeDecode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export const hrefHome = () => '#/';
export const hrefTopic = (/** @type {string} */ slug) => `#/topic/${encodeURIComponent(slug)}`;
export const hrefArticle = (/** @type {string} */ slug, /** @type {string | null} */ topic = null) =>
  `#/article/${encodeURIComponent(slug)}${topic ? `?topic=${encodeURIComponent(topic)}` : ''}`;
export const hrefSearch = (/** @type {string} */ q) => `#/search${q ? `?q=${encodeURIComponent(q)}` : ''}`;
/** @param {{ specialty?: string | null, topic?: string | null, article?: string | null }} [parts] */
export function hrefCallback({ specialty = null, topic = null, article = null } = {}) {
  const query = new URLSearchParams();
  if (specialty) query.set('specialty', specialty);
  if (topic) query.set('topic', topic);
  if (article) query.set('article', article);
  const text = query.toString();
  return `#/callback${text ? `?${text}` : ''}`;
}
export const hrefThanks = (/** @type {string} */ outcome) => `#/thanks${outcome && outcome !== 'received' ? `?outcome=${encodeURIComponent(outcome)}` : ''}`;
export const hrefStaff = () => '#/staff';

export const current = () => parse();

/**
 * Calls `onRoute(route, { restoreScroll })` now and on every later change of screen.
 * @param {RouteListener} onRoute
 */
export function start(onRoute) {
  listener = (route, options) => {
    lastHash = location.hash;
    onRoute(route, options);
  };
  // Scroll positions are restored by main.js once the new screen's content is in place.
  if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
  // A page load (first start, or a recovery reload) is a fresh start: nothing before it counts.
  index = 0;
  writeHistory('replace', entry());
  window.addEventListener('popstate', (event) => {
    if (!isRouteHash(location.hash)) return;
    if (event.state && event.state.gen !== generation) {
      // An entry from before a reset: the last patient's path. Start at home instead.
      index = 0;
      writeHistory('replace', entry(), hrefHome());
      lastHash = location.hash;
      listener(parse(), { restoreScroll: 0 });
      return;
    }
    index = event.state?.index ?? index + 1;
    if (!event.state) writeHistory('replace', entry());
    listener(parse(), { restoreScroll: event.state?.scroll ?? 0 });
  });
  // A hash set from outside (a test driver, a typed address) where popstate did not fire.
  window.addEventListener('hashchange', () => {
    if (!isRouteHash(location.hash) || location.hash === lastHash) return;
    index += 1;
    writeHistory('replace', entry());
    listener(parse(), { restoreScroll: 0 });
  });
  listener(parse(), { restoreScroll: 0 });
}

/**
 * `history.pushState` or `replaceState`, skipped when the browser refuses it. WebKit allows
 * about 100 such calls in 10 seconds and throws a SecurityError after that; a child tapping
 * Home and Back as fast as they can, or a benchmark, gets there. Losing one step of the Back
 * path is better than the error screen. Other errors are thrown as before.
 * @param {'push' | 'replace'} kind
 * @param {unknown} state
 * @param {string} [url]
 * @param {Pick<History, 'pushState' | 'replaceState'>} [target] the history to write (tests)
 * @returns {boolean} false when the browser refused it
 */
export function writeHistory(kind, state, url, target = history) {
  try {
    if (kind === 'push') target.pushState(state, '', url);
    else target.replaceState(state, '', url);
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'SecurityError') return false;
    throw error;
  }
}

/** @param {string} hash */
function isRouteHash(hash) {
  return hash === '' || hash === '#' || hash.startsWith('#/');
}

function rememberScroll() {
  writeHistory('replace', { ...(history.state ?? {}), ...entry(window.scrollY) });
}

/**
 * Goes to `href`. `replace` swaps the current history entry; `silent` only updates the address
 * (the screen has already updated itself, as search does for a new query).
 * @param {string} href
 * @param {{ replace?: boolean, silent?: boolean }} [options]
 */
export function navigate(href, { replace = false, silent = false } = {}) {
  if (replace) {
    writeHistory('replace', entry(), href);
    lastHash = location.hash;
  } else {
    rememberScroll();
    index += 1;
    if (!writeHistory('push', entry(), href)) index -= 1;
    lastHash = location.hash;
  }
  // The screen asked for, even when the browser refused to record it (see writeHistory).
  if (!silent) listener(parse(href.startsWith('#') ? href : location.hash), { restoreScroll: 0 });
}

/** Home is the start of the patient's path: Back is not offered from it. */
export function goHome() {
  index = 0;
  if (parse().name === 'home') {
    // Already home: start it afresh (empty search box, top of the page) without a new entry.
    writeHistory('replace', entry(), hrefHome());
  } else {
    rememberScroll();
    writeHistory('push', entry(), hrefHome());
  }
  listener(parse(hrefHome()), { restoreScroll: 0 });
}

/**
 * Forgets the path so far (idle reset, error recovery): a new generation, home as the only
 * reachable screen. Shows home through the listener like any other change of screen.
 */
export function reset() {
  generation += 1;
  index = 0;
  writeHistory('replace', entry(), hrefHome());
  lastHash = location.hash;
  listener(parse(), { restoreScroll: 0 });
}

export function goBack() {
  if (index > 0) {
    rememberScroll();
    history.back();
  } else {
    goHome();
  }
}

/** Links inside the app are plain <a href="#/...">; this routes their clicks through navigate(). */
/** @param {HTMLElement} root */
export function interceptLinks(root) {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const link = /** @type {Element | null} */ (event.target)?.closest?.('a[href^="#/"]');
    if (!link || !root.contains(link)) return;
    event.preventDefault();
    navigate(/** @type {string} */ (link.getAttribute('href')));
  });
}
