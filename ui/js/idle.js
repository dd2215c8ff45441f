// @ts-check
// The kiosk forgets a patient who walks away. After `idleSeconds` without a touch or a key, a
// large warning counts down `warningSeconds` (at least 20, WCAG 2.2.1) with an "I'm still here"
// button; any touch or key keeps the session. When the count ends the app resets (forms,
// search, history, scroll, language, text size, staff view) and shows the attract screen,
// "Touch to start", until the next patient touches it.
//
// While the warning or the attract screen is up, the page behind it is inert: no focus, no
// clicks, nothing a screen reader can reach.
//
// Pinch and double-tap zoom are off (the viewport meta, touch-action, and WebKitGTK's own
// gesture in Rust); should the page scale change anyway, the reset reloads the page, which
// puts it back to 1 for the next patient.

import { h } from './dom.js';
import { icon } from './icons.js';
import { t, tIn } from './i18n.js';

/**
 * A page older than this (ms) is reloaded at the idle reset, when nobody is at the kiosk.
 * The soak benchmark (BENCHMARKS.md) measured the web process growing by about 40 MiB per
 * 1,000 screen visits over a busy day, and one reload giving it all back; a reload also drops
 * whatever of past patients' typing the old page's JavaScript heap still held.
 */
export const RELOAD_AFTER_MS = 30 * 60 * 1000;
const ATTRACT_AFTER_RELOAD = 'kiosk:attract-after-reload';

/**
 * Whether the idle reset reloads the page rather than only showing the attract screen: the
 * page is zoomed (only a reload puts the scale back) or older than RELOAD_AFTER_MS.
 * @param {number} pageAgeMs time since the page loaded (performance.now), ms
 * @param {number} scale the visual viewport's scale, 1 when not zoomed
 * @param {number} [reloadAfterMs] the config's `[idle] reload_after_minutes`, in ms
 */
export function reloadAtReset(pageAgeMs, scale, reloadAfterMs = RELOAD_AFTER_MS) {
  return scale !== 1 || pageAgeMs >= reloadAfterMs;
}

const ACTIVITY = ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart'];
const MIN_WARNING_SECONDS = 20;

/** A tick that comes this much later than the 1 s asked for, or a wall clock that moved this
 * much more or less than the monotonic one between two ticks, is a jump (ms). */
export const JUMP_MS = 5000;

/**
 * The two clocks a page has: `mono` (performance.now: steady, not moved by a clock set
 * forward or back, and on Linux not counting a suspend) and `wall` (Date.now).
 * @typedef {{ mono: () => number, wall: () => number }} Clocks
 */

/** @type {Clocks} */
const PAGE_CLOCKS = { mono: () => performance.now(), wall: () => Date.now() };

/**
 * Notices a time that cannot be trusted between two ticks: the machine slept (the wall clock
 * moved on, the monotonic one did not), the wall clock was set forward or back, or the page
 * was stopped for a while (a tick far later than asked). Each call compares with the last.
 * @param {Clocks} clocks
 * @returns {() => null | { wallMs: number, monoMs: number }} the step since the last call when it was a jump
 */
export function jumpDetector(clocks) {
  let mono = clocks.mono();
  let wall = clocks.wall();
  return () => {
    const [m, w] = [clocks.mono(), clocks.wall()];
    const step = { wallMs: w - wall, monoMs: m - mono };
    [mono, wall] = [m, w];
    return step.monoMs > JUMP_MS || Math.abs(step.wallMs - step.monoMs) > JUMP_MS ? step : null;
  };
}

/**
 * The clock behind every "nobody has touched this for a while": `onActivity` sees each touch
 * or key anywhere on the page (before the page's own handlers), and `onTick` runs every second.
 * The kiosk's idle reset and the staff view's own lock both run on it.
 *
 * Idle time is monotonic (issue #16): a wall clock set back cannot keep a session alive,
 * nor one set forward end it early. When a tick finds a jump (see {@link jumpDetector}: a
 * resume from suspend, the wall clock moved, the page stopped), nobody can say how long the
 * kiosk was left alone, so it counts as idle for ever: `idleMs()` is Infinity until the next
 * touch, and `onJump` runs before that tick's `onTick`. A clock stepped while a patient is
 * typing costs them the form; a form left on screen across a suspend would cost the next
 * patient far more.
 * @param {object} options
 * @param {readonly string[]} [options.events] what counts as use
 * @param {boolean} [options.passive] true when `onActivity` never prevents an event's default
 * @param {(event: Event) => void} options.onActivity calls `touch()` for use that counts
 * @param {() => void} options.onTick
 * @param {(step: { wallMs: number, monoMs: number }) => void} [options.onJump] a jump was found
 * @param {Clocks} [options.clocks] the page's own unless a test gives its own
 */
export function activityClock({ events = ACTIVITY, passive = false, onActivity, onTick, onJump, clocks = PAGE_CLOCKS }) {
  let last = clocks.mono();
  const jumped = jumpDetector(clocks);
  const options = { capture: true, passive };
  for (const type of events) document.addEventListener(type, onActivity, options);
  const timer = setInterval(() => {
    const step = jumped();
    if (step) {
      last = -Infinity;
      console.warn(`idle: the clock jumped (wall ${Math.round(step.wallMs)} ms, monotonic ${Math.round(step.monoMs)} ms); counted as idle`);
      onJump?.(step);
    }
    onTick();
  }, 1000);
  return {
    /** Counts now as the last use. */
    touch() {
      last = clocks.mono();
    },
    /** Milliseconds since the last use, by the monotonic clock (Infinity after a jump). */
    idleMs: () => clocks.mono() - last,
    /** Now by the monotonic clock (ms), for countdowns. */
    now: () => clocks.mono(),
    /** When the page was last used, as ms since the epoch (wall time less the idle time). */
    last: () => clocks.wall() - (clocks.mono() - last),
    stop() {
      clearInterval(timer);
      for (const type of events) document.removeEventListener(type, onActivity, { capture: true });
    },
  };
}

/**
 * @param {object} options
 * @param {number | undefined} options.idleSeconds from the config
 * @param {number | undefined} options.warningSeconds from the config
 * @param {number | undefined} [options.reloadAfterMinutes] from the config: the reset reloads a page older than this
 * @param {() => boolean} options.isPristine true when nothing a patient did is on screen (home, defaults, top of page)
 * @param {() => void} options.onReset forgets everything and shows home
 * @param {() => { name?: string, logo?: string }} options.brand for the attract screen
 * @param {string[]} options.languages the languages the attract screen greets in
 * @returns {{ stop(): void, showAttract(): void }}
 */
// eslint-disable-next-line max-lines-per-function -- The idle reset's factory: the warning, the attract screen and the clock share its state; each inner function is short.
export function startIdle({ idleSeconds, warningSeconds, reloadAfterMinutes, isPristine, onReset, brand, languages }) {
  const reloadAfterMs = Number(reloadAfterMinutes) > 0 ? Number(reloadAfterMinutes) * 60_000 : RELOAD_AFTER_MS;
  const idleMs = Math.max(1, Number(idleSeconds) || 90) * 1000;
  const warnSecs = Math.max(MIN_WARNING_SECONDS, Number(warningSeconds) || 30);
  const behind = [document.getElementById('site-header'), document.getElementById('main'), document.getElementById('skip-link')];

  let warningEndsAt = 0;
  let attractUp = false;
  /** @type {number | null} */
  let lastAnnounced = null;

  // ---------- the warning ----------
  const count = h('span', { class: 'idle-dialog__count', dataset: { test: 'idle-count' } });
  const title = h('h2', { class: 'idle-dialog__title', id: 'idle-title' });
  const text = h('p', { class: 'idle-dialog__text', id: 'idle-text' });
  const announce = h('p', { class: 'sr-only', 'aria-live': 'polite' });
  const stayLabel = h('span', {});
  const stay = h(
    'button',
    { type: 'button', class: 'button button--primary button--huge', dataset: { test: 'idle-stay' }, onclick: () => keepGoing() },
    icon('check'),
    stayLabel,
  );
  const dialog = h(
    'div',
    {
      class: 'idle-dialog',
      role: 'alertdialog',
      'aria-modal': 'true',
      'aria-labelledby': 'idle-title',
      'aria-describedby': 'idle-text',
      dataset: { test: 'idle-warning' },
      hidden: true,
    },
    h('div', { class: 'idle-dialog__box' }, h('span', { class: 'idle-dialog__icon' }, icon('clock')), title, count, text, stay, announce),
  );

  // ---------- the attract screen ----------
  const attractGreeting = h('div', { class: 'attract__greeting' });
  const attractBrand = h('div', { class: 'attract__brand' });
  const attract = h(
    'button',
    { type: 'button', class: 'attract', dataset: { test: 'attract' }, hidden: true, onclick: () => hideAttract() },
    attractBrand,
    attractGreeting,
  );
  document.body.append(dialog, attract);

  /** @param {boolean} on */
  function setBehindInert(on) {
    for (const node of behind) {
      if (!node) continue;
      if (on) node.setAttribute('inert', '');
      else node.removeAttribute('inert');
    }
  }

  function showWarning() {
    warningEndsAt = clock.now() + warnSecs * 1000;
    lastAnnounced = null;
    title.textContent = t('idle.title');
    stayLabel.textContent = t('idle.stay');
    updateCount();
    dialog.hidden = false;
    setBehindInert(true);
    document.dispatchEvent(new CustomEvent('kiosk:idle-warning')); // speech stops (speech.js)
    stay.focus();
  }

  function updateCount() {
    const left = Math.max(0, Math.ceil((warningEndsAt - clock.now()) / 1000));
    count.textContent = String(left);
    text.textContent = t('idle.text', { count: left });
    // The dialog's own text is read when it opens; after that, say the time now and then.
    if (left % 10 === 0 && left !== lastAnnounced && left > 0 && left < warnSecs) {
      lastAnnounced = left;
      announce.textContent = t('idle.text', { count: left });
    }
    return left;
  }

  function hideWarning() {
    warningEndsAt = 0;
    dialog.hidden = true;
    announce.textContent = '';
    setBehindInert(false);
  }

  function keepGoing() {
    clock.touch();
    if (warningEndsAt) hideWarning();
  }

  function showAttract() {
    hideWarning();
    const { name, logo } = brand();
    attractBrand.replaceChildren(
      .../** @type {HTMLElement[]} */ ([logo ? h('img', { class: 'attract__logo', src: logo, alt: '' }) : null, name ? h('span', { class: 'attract__name' }, name) : null].filter(Boolean)),
    );
    // The next patient may read any of the clinic's languages: greet in each.
    attractGreeting.replaceChildren(
      ...languages.map((lang, i) =>
        h('span', { class: i === 0 ? 'attract__touch' : 'attract__touch attract__touch--other', lang }, tIn(lang, 'idle.touchToStart')),
      ),
    );
    attract.setAttribute('aria-label', languages.map((lang) => tIn(lang, 'idle.touchToStart')).join(' / '));
    attract.hidden = false;
    attractUp = true;
    setBehindInert(true);
    attract.focus();
  }

  function hideAttract() {
    attract.hidden = true;
    attractUp = false;
    clock.touch();
    setBehindInert(false);
    const heading = /** @type {HTMLElement | null} */ (document.querySelector('#main h1'));
    (heading ?? document.getElementById('main'))?.focus({ preventScroll: true });
  }

  /** @param {Event} event */
  function onActivity(event) {
    if (attractUp) return; // the attract screen's own button handles its touch
    if (warningEndsAt && event.type === 'keydown' && dialog.contains(/** @type {Node | null} */ (event.target))) {
      // Keys inside the dialog: Tab stays on its one button; anything else means "still here".
      if (/** @type {KeyboardEvent} */ (event).key === 'Tab') {
        event.preventDefault();
        stay.focus();
        return;
      }
    }
    keepGoing();
  }

  function tick() {
    if (attractUp) return;
    if (warningEndsAt) {
      if (updateCount() <= 0) {
        hideWarning();
        reset();
      }
      return;
    }
    if (clock.idleMs() < idleMs) return;
    // Nothing of anyone's on screen: no need to warn, just invite the next patient.
    if (!isPristine()) showWarning();
    else attractOrReload();
  }

  function reset() {
    try {
      onReset();
    } finally {
      attractOrReload();
    }
  }

  /** The attract screen; from a new page when this one is zoomed or old (it opens on it). */
  function attractOrReload() {
    if (!reloadAtReset(performance.now(), window.visualViewport?.scale ?? 1, reloadAfterMs)) {
      showAttract();
      return;
    }
    try {
      sessionStorage.setItem(ATTRACT_AFTER_RELOAD, '1');
    } catch {
      // No session storage: the new page opens on home, which is as clean.
    }
    location.reload();
  }

  /** After a suspend or a clock step: whatever a patient left on screen goes at once. */
  function jump() {
    if (attractUp) return;
    hideWarning();
    if (isPristine()) showAttract();
    else reset();
  }

  const clock = activityClock({ onActivity, onTick: tick, onJump: jump });
  // A page reloaded by the idle reset opens on the attract screen, as the reset would have.
  let afterReload = false;
  try {
    afterReload = sessionStorage.getItem(ATTRACT_AFTER_RELOAD) === '1';
    sessionStorage.removeItem(ATTRACT_AFTER_RELOAD);
  } catch {
    afterReload = false;
  }
  if (afterReload) showAttract();

  return {
    stop() {
      clock.stop();
      hideWarning();
      dialog.remove();
      attract.remove();
    },
    showAttract,
  };
}
