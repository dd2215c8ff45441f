// @ts-check
// Starts the kiosk UI: loads app info and texts, builds the header and shows one screen per route.

import * as api from './api.js';
import { loadDictionaries, setLang, getLang, t } from './i18n.js';
import { createHeader } from './header.js';
import { TEXT_SIZES, DEFAULT_DISPLAY, applyDisplay, isDefaultDisplay, watchHeader } from './display.js';
import * as router from './router.js';
import * as home from './screens/home.js';
import * as errorScreen from './screens/error.js';
import * as recovery from './screens/recovery.js';
import * as configProblem from './screens/config-problem.js';
import { closeKeyboard } from './components/keyboard.js';
import { startIdle } from './idle.js';
import { initKeys, isStaffScreen, sayHelp } from './keys.js';
import { resetSpeech, setSpeechMode, stopSpeech, isSpeechDefault, isSpeechMode, say } from './speech.js';
import { applyAccent } from './theme.js';

/**
 * What a screen's render() gives: its node and name, and what to do once it is shown and when
 * it goes (onLeave gets the next screen's name). `redirect`: the same screen at another address.
 * @typedef {object} Screen
 * @property {string} screen
 * @property {string} [title]
 * @property {HTMLElement} node
 * @property {() => void} [afterMount]
 * @property {(next: string) => void} [onLeave]
 * @property {string} [redirect]
 */

/**
 * app_info's answer (docs/ipc.md), with the defaults used until it comes.
 * @typedef {object} AppInfo
 * @property {string} clinicName
 * @property {string[]} languages
 * @property {string} defaultLang
 * @property {string} [mode] 'kiosk' or 'front-desk'
 * @property {string} [accentColour]
 * @property {number} [configProblemCount]
 * @property {number} [idleSeconds]
 * @property {number} [idleWarningSeconds]
 * @property {number} [reloadAfterMinutes]
 * @property {string} [logo]
 */

/** @typedef {Screen | { redirect: string }} Rendered */
/** @typedef {{ render: (route: { params: any, app: AppInfo }) => Rendered | Promise<Rendered> }} ScreenModule */

/** @type {Record<string, ScreenModule>} */
const SCREENS = { home };
/**
 * The other screens load when first shown, and in the background once the first screen is
 * up (`preloadScreens`): the start then fetches and compiles 21 modules instead of 44, about
 * 145 KB of script instead of 310 (issue #16). The browser keeps each module once loaded, so
 * a second `import()` costs nothing.
 * @type {Record<string, () => Promise<ScreenModule>>}
 */
const LATER_SCREENS = {
  topic: () => import('./screens/topic.js'),
  article: () => import('./screens/article.js'),
  search: () => import('./screens/search.js'),
  callback: () => import('./screens/callback.js'),
  thanks: () => import('./screens/thanks.js'),
  staff: () => import('./screens/staff.js'),
};

/**
 * The module that renders the route `name`, or undefined for an unknown route.
 * @param {string} name
 * @returns {Promise<ScreenModule | undefined>}
 */
async function screenModule(name) {
  if (Object.hasOwn(SCREENS, name)) return SCREENS[name];
  return Object.hasOwn(LATER_SCREENS, name) ? LATER_SCREENS[name]() : undefined;
}

/**
 * Loads the screens not loaded yet while nothing else happens, so the first tap on a topic,
 * an article or Search does not wait for its modules. A failure here is only a later wait.
 */
function preloadScreens() {
  const load = () => {
    for (const later of Object.values(LATER_SCREENS)) later().catch(() => {});
  };
  setTimeout(load, PRELOAD_AFTER_MS);
}
/** More unexpected errors than this within a minute: reload the page instead of recovering. */
const ERRORS_BEFORE_RELOAD = 3;
const LOADING_DELAY_MS = 400;
/** How long after the first screen is up the other screens' modules load (ms). */
const PRELOAD_AFTER_MS = 300;

/** @type {{ lang: string, textSize: string, contrast: string, screen: string, app: AppInfo, languages: string[], defaultLang: string }} */
const state = {
  languages: ['en'],
  defaultLang: 'en',
  lang: 'en',
  ...DEFAULT_DISPLAY,
  screen: 'loading',
  app: { clinicName: '', languages: ['en', 'es'], defaultLang: 'en' },
};

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
/** @type {ReturnType<typeof createHeader>} */
let header;
let renderToken = 0;
let firstScreen = true;
/** The screen on show: its onLeave(nextScreen) runs when another replaces it. */
/** @type {Screen | null} */
let mounted = null;
let readyReported = false;
/** Shows the loading bar if the first screen takes longer than LOADING_DELAY_MS. */
let bootLoadingTimer = 0;
/** @type {number[]} */
let recentErrors = [];

async function boot() {
  // Where the start goes (benches/startup.rs reads these User Timing marks, issue #16).
  performance.mark('kiosk:boot');
  // A slow start shows the loading bar; a quick one paints nothing before the first screen.
  bootLoadingTimer = setTimeout(() => main.classList.add('is-loading'), LOADING_DELAY_MS);
  let bootError = null;
  // The texts of every language the UI has load while Rust answers (start-up time).
  const dictionaries = loadDictionaries(['en', 'es']);
  try {
    state.app = { ...state.app, ...(await api.appInfo()) };
  } catch (error) {
    bootError = error;
  }
  const wanted = state.app.languages?.length ? state.app.languages : ['en', 'es'];
  performance.mark('kiosk:app-info');
  const loaded = await dictionaries;
  performance.mark('kiosk:texts');
  const languages = wanted.filter((lang) => loaded.includes(lang));
  state.languages = languages;
  state.defaultLang = languages.includes(state.app.defaultLang) ? state.app.defaultLang : languages[0] ?? 'en';
  state.lang = setLang(state.defaultLang);
  applyAccent(state.app.accentColour);
  // A misconfigured kiosk opens on a calm "please ask staff" screen instead of home.
  if ((state.app.configProblemCount ?? 0) > 0 && state.app.mode !== 'front-desk') SCREENS.home = configProblem;

  // Without the app's details nothing else can work, so every way out starts over.
  const startOver = () => location.reload();
  header = createHeader(
    {
      onHome: bootError ? startOver : () => router.goHome(),
      onBack: bootError ? startOver : () => router.goBack(),
      onHelp: sayHelp,
      onLanguage: changeLanguage,
      onTextSize: changeTextSize,
      onContrast: changeContrast,
      onStaff: bootError ? startOver : () => router.navigate(router.hrefStaff()),
    },
    languages,
  );
  setUpSkipLink();
  router.interceptLinks(main);
  initKeys(); // the six keys, speech mode and the Listen controls' settings (issue #13)
  applyDocumentSettings();
  // After the settings' classes are on <html>, so setting them does not measure the header.
  watchHeader(/** @type {HTMLElement} */ (document.getElementById('site-header')));

  if (bootError) {
    renderToken++;
    mount(errorScreen.render('other', { onHome: startOver, onRetry: startOver }));
    return;
  }
  // A front-desk laptop opens on the staff view instead of the patients' home screen.
  if (router.parse().name === 'home' && state.app.mode === 'front-desk') {
    history.replaceState(history.state, '', router.hrefStaff());
  }
  // A kiosk forgets a patient who walks away; the front desk's laptop has its own staff lock.
  if (state.app.mode !== 'front-desk') {
    startIdle({
      idleSeconds: state.app.idleSeconds,
      warningSeconds: state.app.idleWarningSeconds,
      reloadAfterMinutes: state.app.reloadAfterMinutes,
      isPristine,
      onReset: resetKiosk,
      brand: () => ({ name: state.app.clinicName, logo: state.app.logo }),
      languages,
    });
  }
  performance.mark('kiosk:header');
  router.start(show);
}

/** Nothing a patient did is on screen: the start screen, as it first appears, with the clinic's speech settings. */
function isPristine() {
  const typed = [...main.querySelectorAll('input, textarea')].some((field) => /** @type {HTMLInputElement} */ (field).value !== '');
  return (
    (state.screen === 'home' || state.screen === 'config-problem') &&
    state.lang === state.defaultLang &&
    isDefaultDisplay(state) &&
    isSpeechDefault() &&
    window.scrollY === 0 &&
    !typed
  );
}

/**
 * Forgets everything of the last patient: the keyboard and what it typed, forms (their screens
 * clear themselves on leaving), the search, the path so far (Back leads nowhere), the scroll
 * position, language, text size and contrast; a staff view on screen ends its session on leaving.
 */
function resetKiosk() {
  closeKeyboard();
  resetSpeech();
  /** @type {HTMLElement | null} */ (document.activeElement)?.blur?.();
  state.lang = setLang(state.defaultLang);
  Object.assign(state, DEFAULT_DISPLAY);
  applyDocumentSettings();
  header.update(state);
  dropScreen();
  router.reset();
  window.scrollTo(0, 0);
}

/**
 * The screen on show goes at once, not when the next one is built (home may wait on the back
 * end for a moment): nothing the last patient typed stays in the page behind the attract screen.
 */
function dropScreen() {
  leaveScreen(null, 'home');
  main.replaceChildren();
}

/**
 * The screen on show hands over to `next` (null: none yet) and drops what it held (a form's
 * fields, the staff session); its onLeave gets the next screen's name.
 * @param {Screen | null} next
 * @param {string} nextName
 */
function leaveScreen(next, nextName) {
  const previous = mounted;
  mounted = next;
  try {
    previous?.onLeave?.(nextName);
  } catch (error) {
    console.error(error);
  }
}

/**
 * An error nobody handled: say so calmly, then start over. Never a blank or frozen screen.
 * @param {unknown} message
 * @param {string | null} source
 * @param {number | null} line
 */
function recoverFromError(message, source, line) {
  api.reportUiError(String(message ?? 'unknown error'), source ?? null, Number.isInteger(line) ? /** @type {number} */ (line) : null).catch(() => {});
  const now = Date.now();
  recentErrors = recentErrors.filter((at) => now - at < 60_000);
  recentErrors.push(now);
  if (recentErrors.length > ERRORS_BEFORE_RELOAD || !header) {
    location.reload();
    return;
  }
  if (state.screen === 'recovery') return;
  try {
    renderToken++;
    mount(recovery.render({ onStart: resetKiosk }));
  } catch {
    location.reload();
  }
}

window.addEventListener('error', (event) => {
  // Failed images or style sheets also fire here (without an error object): not a crash.
  if (!(event instanceof ErrorEvent)) return;
  recoverFromError(event.message, event.filename, event.lineno);
});
window.addEventListener('unhandledrejection', (event) => {
  const reason = event.reason;
  recoverFromError(reason instanceof Error ? `${reason.name}: ${reason.message}` : 'unhandled rejection', null, null);
});

/**
 * Renders the screen for `route`. Stale renders (the patient moved on) are dropped.
 * @param {{ name: string, params: any }} route
 * @param {{ restoreScroll?: number, keepFocus?: boolean }} [options]
 */
async function show(route, { restoreScroll = 0, keepFocus = false } = {}) {
  const token = ++renderToken;
  main.setAttribute('aria-busy', 'true');
  const loadingTimer = setTimeout(() => main.classList.add('is-loading'), LOADING_DELAY_MS);

  /** @type {Rendered} */
  let result;
  try {
    const screen = await screenModule(route.name);
    if (!screen) throw Object.assign(new Error('unknown route'), { kind: 'notFound' });
    result = await screen.render({ params: route.params, app: state.app });
  } catch (failure) {
    const error = /** @type {{ kind?: string } | undefined} */ (failure);
    if (!(error instanceof api.ApiError) && !error?.kind) console.error(error);
    result = errorResult(error?.kind, route);
  } finally {
    clearTimeout(loadingTimer);
  }
  if (token !== renderToken) return;

  const redirect = /** @type {{ redirect?: string }} */ (result).redirect;
  if (redirect) {
    // Same screen in another form (an article's translation): swap the address, keep focus as asked.
    router.navigate(redirect, { replace: true, silent: true });
    show(router.current(), { restoreScroll, keepFocus });
    return;
  }
  mount(/** @type {Screen} */ (result), { restoreScroll, keepFocus });
}

/**
 * @param {Screen} result
 * @param {{ restoreScroll?: number, keepFocus?: boolean }} [options]
 */
function mount(result, { restoreScroll = 0, keepFocus = false } = {}) {
  // The on-screen keyboard belongs to the screen it was opened on: it goes, and nothing typed stays.
  closeKeyboard();
  leaveScreen(result, result.screen);
  clearTimeout(bootLoadingTimer);
  main.classList.remove('is-loading');
  main.removeAttribute('aria-busy');
  main.dataset.screen = result.screen;
  // The staff view: speech mode off and silence, so no patient's name reaches the lobby's speaker.
  if (isStaffScreen(result.screen)) {
    setSpeechMode(false);
    stopSpeech();
  }
  main.replaceChildren(result.node);
  state.screen = result.screen;
  document.title = [result.title, state.app.clinicName].filter(Boolean).join(' · ');
  header.update(state);
  window.scrollTo(0, restoreScroll);
  // The first screen leaves focus at the start of the page, so Tab reaches the skip link first.
  if (!keepFocus && !firstScreen) focusHeading();
  // A new language keeps focus on its button, so no focus change says anything: the screen's
  // name, in the new language and voice, tells a patient who cannot see it that it changed.
  if (keepFocus && isSpeechMode() && result.title) say(result.title);
  firstScreen = false;
  result.afterMount?.();
  if (!readyReported) {
    readyReported = true;
    performance.mark('kiosk:first-screen');
    // Once the first screen can be used: logs the start-up time (and ends a cold-start benchmark).
    requestAnimationFrame(() => {
      performance.mark('kiosk:first-frame');
      setTimeout(() => performance.mark('kiosk:first-frame-drawn'), 0);
      api.uiReady().catch(() => {});
      // Anything first-calls.js asked for that the first screen did not take is old from now on.
      api.forgetFirstCalls();
      preloadScreens();
    });
  }
}

/**
 * @param {string | undefined} kind
 * @param {{ name: string, params: any }} route
 */
function errorResult(kind, route) {
  return errorScreen.render(kind === 'notFound' ? 'notFound' : 'other', {
    onHome: () => router.goHome(),
    onRetry: () => show(route),
  });
}

/** Moves focus to the new screen's h1, so screen readers start reading there. */
function focusHeading() {
  const heading = main.querySelector('h1');
  (heading ?? main).focus({ preventScroll: true });
}

/** @param {string} lang */
function changeLanguage(lang) {
  if (lang === state.lang) return;
  state.lang = setLang(lang);
  applyDocumentSettings();
  header.update(state);
  // Same screen, new language; focus stays on the language button that was pressed.
  show(router.current(), { keepFocus: true });
}

/** @param {string} size */
function changeTextSize(size) {
  if (!TEXT_SIZES.includes(size)) return;
  state.textSize = size;
  applyDocumentSettings();
  header.update(state);
}

/** @param {boolean} high */
function changeContrast(high) {
  state.contrast = high ? 'high' : 'normal';
  applyDocumentSettings();
  header.update(state);
}

function applyDocumentSettings() {
  const root = document.documentElement;
  root.lang = getLang();
  applyDisplay(root, state);
  const skip = /** @type {HTMLElement} */ (document.getElementById('skip-link'));
  skip.textContent = t('skipLink');
}

function setUpSkipLink() {
  const skip = /** @type {HTMLElement} */ (document.getElementById('skip-link'));
  // The hash is the router's, so the skip link moves focus itself instead of changing it.
  skip.addEventListener('click', (event) => {
    event.preventDefault();
    focusHeading();
    main.querySelector('h1')?.scrollIntoView({ block: 'start' });
  });
}

boot();
