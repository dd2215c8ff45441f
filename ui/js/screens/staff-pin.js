// @ts-check
// The staff view's PIN screen: pick your name, enter the PIN on a large pad (or a keyboard).
// Rust answers each try; too many wrong PINs make the pad wait, or lock the name (or the whole
// kiosk) until an admin or IT lifts it, and the screen says which and how.

import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, tSplit } from '../i18n.js';
import * as api from '../api.js';
import { pinInput, PIN_MAX } from '../components/pin.js';
import { session, view, reshow, leaving, pageHead, noticeBox } from './staff-session.js';

/** The shortest PIN an older version allowed (accounts keep their PIN on upgrade). */
const LEGACY_PIN_MIN = 4;
const UNLOCK_COMMAND = 'clinic-kiosk staff unlock';

/**
 * @param {string[]} names the staff accounts' names, from staff_status
 */
export function renderPin(names) {
  const notice = view.notice;
  view.notice = null;
  const state = pinState(names);
  const input = pinInput('staff-pin');
  input.setAttribute('aria-describedby', 'pin-message');
  const pinLabel = h('label', { class: 'pin__label staff-card__title', id: 'staff-pin-label', for: 'staff-pin' });
  const message = pinMessage(() => {
    setEnabled(true);
    input.focus({ preventScroll: true });
  });
  const isHardLocked = () => state.kioskLocked || (state.picked !== null && state.hardLocked.has(state.picked));
  const blocked = () => state.busy || message.isWaiting() || isHardLocked();
  const nameButtons = names.map((name) => nameButton(name, () => pick(name)));
  const pad = pinPad((value) => press(value));

  /** @param {boolean} enabled */
  function setEnabled(enabled) {
    pad.setEnabled(enabled);
    input.disabled = !enabled;
  }

  function showHardLock() {
    message.hardLock(state.kioskLocked);
    setEnabled(false);
  }

  /** @param {string} name */
  function pick(name) {
    state.picked = name;
    view.picked = name;
    for (const button of nameButtons) button.setAttribute('aria-pressed', String(button.dataset.name === name));
    pinLabel.textContent = t('staff.pinFor', { name });
    if (isHardLocked()) {
      showHardLock();
      return;
    }
    if (!message.isWaiting()) {
      message.say('');
      setEnabled(true);
    }
    input.focus({ preventScroll: true });
  }

  /** @param {string} value a digit, 'backspace' or 'ok' */
  function press(value) {
    if (blocked()) return;
    if (value === 'ok') {
      submit();
      return;
    }
    if (document.activeElement !== input) input.focus({ preventScroll: true });
    if (value === 'backspace') input.value = input.value.slice(0, -1);
    else if (input.value.length < PIN_MAX) input.value += value;
  }

  async function submit() {
    if (blocked()) return;
    if (!state.picked) {
      message.say(t('staff.chooseNameFirst'), 'info');
      nameButtons[0]?.focus();
      return;
    }
    // New PINs have at least `pinMin` digits, but an account from before that rule (4 or 5
    // digits) must still be able to sign in: Rust checks the PIN, the pad only stops a
    // PIN too short to be any PIN.
    if (input.value.length < LEGACY_PIN_MIN) {
      message.say(t('staff.pinTooShort', { count: view.pinMin }), 'info');
      input.focus({ preventScroll: true });
      return;
    }
    state.busy = true;
    setEnabled(false);
    await unlock(state, input, { message, showHardLock, setEnabled });
  }

  const node = pinScreen({ notice, nameButtons, pinLabel, input, message: message.node, pad: pad.node, onKeydown: typeAnywhere(input, press, submit) });
  if (state.picked) pick(state.picked);
  else pinLabel.textContent = t('staff.pinLabel');

  return {
    screen: 'staff-pin',
    title: t('staff.pinTitle'),
    node,
    onLeave: (/** @type {string} */ next) => {
      message.stop();
      input.value = '';
      leaving(next);
    },
  };
}

/**
 * What the PIN screen knows: the name picked (the one before a change of language, or the
 * only one), whether it is trying a PIN, and the locks Rust has answered with.
 * @param {string[]} names
 */
function pinState(names) {
  return {
    /** @type {string | null} */
    picked: names.includes(/** @type {string} */ (view.picked)) ? view.picked : names.length === 1 ? names[0] : null,
    busy: false,
    /** Names Rust answered `hardLocked` for, on this screen. @type {Set<string>} */
    hardLocked: new Set(),
    /** Rust answered `kioskLocked`: every name is locked until IT lifts it. */
    kioskLocked: false,
  };
}

/**
 * Asks Rust to start a session with the picked name and the PIN typed; shows the inbox, or why not.
 * @param {{ picked: string | null, busy: boolean, hardLocked: Set<string>, kioskLocked: boolean }} state
 * @param {HTMLInputElement} input
 * @param {{ message: ReturnType<typeof pinMessage>, showHardLock: () => void, setEnabled: (enabled: boolean) => void }} screen
 */
async function unlock(state, input, { message, showHardLock, setEnabled }) {
  const picked = /** @type {string} */ (state.picked);
  try {
    const started = await api.staffUnlock(picked, input.value);
    input.value = '';
    session.token = started.token;
    session.name = started.name;
    session.role = started.role === 'admin' ? 'admin' : 'frontDesk';
    const lifetime = Number(started.sessionMaxSecs);
    session.endsAt = Number.isFinite(lifetime) && lifetime > 0 ? Date.now() + lifetime * 1000 : 0;
    reshow();
  } catch (failure) {
    input.value = '';
    const error = /** @type {Partial<api.ApiError> | undefined} */ (failure);
    if (error?.kind === 'kioskLocked') {
      state.kioskLocked = true;
      showHardLock();
    } else if (error?.kind === 'hardLocked') {
      state.hardLocked.add(picked);
      showHardLock();
    } else if (error?.kind === 'locked' || (error?.kind === 'invalidInput' && error.retryAfterSecs)) {
      setEnabled(false);
      message.wait(error.retryAfterSecs ?? 30, error.kind === 'locked' ? 'staff.tooManyWait' : 'staff.wrongPinWait');
    } else if (error?.kind === 'invalidInput') {
      message.say(t('staff.wrongPin'));
    } else {
      message.say(t('staff.unlockFailed'));
    }
  } finally {
    state.busy = false;
    const hardLocked = state.kioskLocked || (state.picked !== null && state.hardLocked.has(state.picked));
    if (!message.isWaiting() && !hardLocked) {
      setEnabled(true);
      input.focus({ preventScroll: true });
    }
  }
}

/**
 * The line under the PIN: guidance, a refusal, a countdown while the pad waits, or how to
 * lift a hard lock.
 * @param {() => void} onWaitOver the pad may be used again
 */
function pinMessage(onWaitOver) {
  const node = h('p', { class: 'pin__message', id: 'pin-message', role: 'alert', dataset: { test: 'pin-message' } });
  let timer = 0;
  let until = 0;

  /**
   * @param {string} text
   * @param {'error' | 'info'} [tone] 'error' for a refusal, 'info' for guidance
   */
  function say(text, tone = 'error') {
    node.textContent = text;
    node.dataset.tone = tone;
    delete node.dataset.kind;
  }

  return {
    node,
    say,
    isWaiting: () => Date.now() < until,
    stop: () => clearInterval(timer),
    /**
     * Too many wrong PINs: no more tries here; an admin or IT lifts the lock.
     * @param {boolean} kioskLocked every name is locked, not only the picked one
     */
    hardLock(kioskLocked) {
      clearInterval(timer);
      until = 0;
      delete node.dataset.waiting;
      const [before, after] = tSplit(kioskLocked ? 'staff.kioskLocked' : 'staff.hardLocked', 'command');
      const command = kioskLocked ? `${UNLOCK_COMMAND} --kiosk` : UNLOCK_COMMAND;
      node.replaceChildren(before, h('code', { class: 'pin__command' }, command), after);
      node.dataset.tone = 'error';
      node.dataset.kind = 'hardLocked';
    },
    /**
     * The pad is off for `seconds`, with the time left on screen.
     * @param {number} seconds
     * @param {string} key the text that says why
     */
    wait(seconds, key) {
      clearInterval(timer);
      until = Date.now() + seconds * 1000;
      node.dataset.waiting = 'true';
      node.dataset.tone = 'error';
      const countdown = h('span', { class: 'pin__countdown', dataset: { test: 'pin-countdown' } });
      const tick = () => {
        const left = Math.ceil((until - Date.now()) / 1000);
        if (left <= 0) {
          clearInterval(timer);
          delete node.dataset.waiting;
          say(t('staff.tryAgainNow'), 'info');
          onWaitOver();
          return;
        }
        countdown.textContent = t('staff.secondsLeft', { count: left });
      };
      node.replaceChildren(h('span', {}, t(key, { count: seconds })), ' ', countdown);
      // Only the first words are announced; the countdown just updates on screen.
      countdown.setAttribute('aria-hidden', 'true');
      tick();
      timer = setInterval(tick, 250);
    },
  };
}

/**
 * @param {string} name
 * @param {() => void} onPick
 */
function nameButton(name, onPick) {
  return h(
    'button',
    { type: 'button', class: 'staff-name', 'aria-pressed': 'false', dataset: { test: 'staff-name', name }, onclick: onPick },
    h('span', { class: 'staff-name__avatar', 'aria-hidden': 'true' }, initials(name)),
    h('span', { class: 'staff-name__text' }, name),
  );
}

/**
 * The large digit pad, for fingers.
 * @param {(value: string) => void} press
 */
function pinPad(press) {
  /** @type {HTMLButtonElement[]} */
  const keys = [];
  /**
   * @param {string} value
   * @param {import('../dom.js').Child} content
   * @param {{ label?: string | null, variant?: string | null }} [options]
   */
  const key = (value, content, { label = null, variant = null } = {}) => {
    const button = h(
      'button',
      {
        type: 'button',
        class: ['pin-key', variant && `pin-key--${variant}`],
        // Digits are typed in the field from a keyboard; the pad is for fingers.
        tabindex: value === 'ok' ? null : '-1',
        'aria-label': label,
        dataset: { test: 'pin-key', key: value },
        onpointerdown: (/** @type {Event} */ event) => event.preventDefault(),
        onclick: () => press(value),
      },
      content,
    );
    keys.push(button);
    return button;
  };
  const node = h(
    'div',
    { class: 'pin-pad', role: 'group', 'aria-label': t('staff.padLabel') },
    [...'123456789'].map((digit) => key(digit, digit)),
    key('backspace', icon('backspace'), { label: t('staff.backspace'), variant: 'fn' }),
    key('0', '0'),
    key('ok', t('staff.ok'), { variant: 'ok' }),
  );
  return {
    node,
    /** @param {boolean} enabled */
    setEnabled(enabled) {
      for (const button of keys) button.disabled = !enabled;
      node.classList.toggle('is-disabled', !enabled);
    },
  };
}

/**
 * A physical keyboard types into the PIN wherever focus is on this screen; Enter in the PIN
 * field sends it.
 * @param {HTMLInputElement} input
 * @param {(value: string) => void} press
 * @param {() => void} submit
 */
function typeAnywhere(input, press, submit) {
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      submit();
    }
  });
  return (/** @type {KeyboardEvent} */ event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (target === input || event.altKey || event.ctrlKey || event.metaKey) return;
    if (/^[0-9]$/.test(event.key)) {
      event.preventDefault();
      press(event.key);
    } else if (event.key === 'Backspace') {
      event.preventDefault();
      press('backspace');
    } else if (event.key === 'Enter' && target.tagName !== 'BUTTON') {
      event.preventDefault();
      submit();
    }
  };
}

/**
 * @param {{ notice: string | null, nameButtons: HTMLElement[], pinLabel: HTMLElement, input: HTMLElement, message: HTMLElement, pad: HTMLElement, onKeydown: (event: KeyboardEvent) => void }} parts
 */
function pinScreen({ notice, nameButtons, pinLabel, input, message, pad, onKeydown }) {
  return h(
    'div',
    { class: 'staff-pin', onkeydown: onKeydown },
    pageHead('lock', t('staff.pinTitle'), t('staff.pinLead')),
    noticeBox(notice),
    h(
      'div',
      { class: 'staff-pin__layout' },
      h(
        'section',
        { class: 'staff-card staff-pin__names', 'aria-labelledby': 'staff-names-heading' },
        h('h2', { class: 'staff-card__title', id: 'staff-names-heading' }, t('staff.namesHeading')),
        h('ul', { class: 'staff-names', role: 'list' }, nameButtons.map((button) => h('li', {}, button))),
      ),
      h('section', { class: 'staff-card staff-pin__pad', 'aria-labelledby': 'staff-pin-label' }, pinLabel, input, message, pad),
    ),
  );
}

/**
 * "Ana López" -> "AL": the avatar beside a name.
 * @param {string} name
 */
export function initials(name) {
  return [...name.trim().split(/\s+/).map((part) => [...part][0] ?? '').join('')].slice(0, 2).join('').toLocaleUpperCase();
}
