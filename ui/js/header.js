// @ts-check
// The header shown on every screen: Home, Back, Help (reads aloud how the kiosk works and turns
// speech mode on, as the keypad's Help key does: a patient on the touch screen has it too), the
// clinic's name, language, text size and high contrast (display.js), and at the far end a
// small, quiet Staff button that opens the staff view (behind a PIN).
// Built once; update() refreshes its words and pressed states so focus stays where it was.

import { h, srOnly } from './dom.js';
import { icon } from './icons.js';
import { t } from './i18n.js';
import { TEXT_SIZES } from './display.js';
import { isStaffScreen } from './keys.js';

// Language names are written in their own language, so they are not translated.
const LANGUAGE_NAMES = /** @type {Record<string, string>} */ ({ en: 'English', es: 'Español' });

const STAFF_SCREENS = new Set(['staff-none', 'staff-pin', 'inbox']);

const SIZE_KEYS = /** @type {Record<string, string>} */ ({ normal: 'textSizeNormal', large: 'textSizeLarge', xlarge: 'textSizeXlarge' });

/**
 * @param {{ onHome: () => void, onBack: () => void, onHelp: () => void, onLanguage: (lang: string) => void, onTextSize: (size: string) => void, onContrast: (high: boolean) => void, onStaff: () => void }} handlers
 * @param {string[]} languages languages offered by the app
 */
// eslint-disable-next-line max-lines-per-function -- Builds the header once, top to bottom in the order it reads; most of its lines are the buttons' markup.
export function createHeader(handlers, languages) {
  // In index.html, always.
  const nav = /** @type {HTMLElement} */ (document.getElementById('site-nav'));
  const brand = /** @type {HTMLElement} */ (document.getElementById('site-brand'));
  const settings = /** @type {HTMLElement} */ (document.getElementById('site-settings'));

  const homeLabel = h('span', { class: 'hbtn__label' });
  const backLabel = h('span', { class: 'hbtn__label' });
  const homeButton = h(
    'button',
    { type: 'button', class: 'hbtn', dataset: { test: 'home' }, onclick: handlers.onHome },
    icon('home'),
    homeLabel,
  );
  const backButton = h(
    'button',
    { type: 'button', class: 'hbtn', dataset: { test: 'back' }, onclick: handlers.onBack },
    icon('back'),
    backLabel,
  );
  const helpLabel = h('span', { class: 'hbtn__label' });
  const helpButton = h(
    'button',
    {
      type: 'button',
      class: 'hbtn',
      dataset: { test: 'help' },
      // A tap leaves focus where it was: in speech mode the help is said at once, not the
      // button's own name first (the keys still reach it and say it).
      onpointerdown: (/** @type {PointerEvent} */ event) => event.preventDefault(),
      onmousedown: (/** @type {MouseEvent} */ event) => event.preventDefault(),
      onclick: handlers.onHelp,
    },
    icon('help'),
    helpLabel,
  );
  nav.replaceChildren(homeButton, backButton, helpButton);

  const languageLabel = h('span', { class: 'setting__label', id: 'setting-language-label' });
  const languageButtons = languages.map((lang) =>
    h(
      'button',
      {
        type: 'button',
        class: 'segmented__option',
        lang,
        dataset: { test: `lang-${lang}`, lang },
        'aria-pressed': 'false',
        onclick: () => handlers.onLanguage(lang),
      },
      LANGUAGE_NAMES[lang] ?? lang.toUpperCase(),
    ),
  );

  const sizeLabel = h('span', { class: 'setting__label', id: 'setting-size-label' });
  const sizeButtons = TEXT_SIZES.map((size) =>
    h('button', {
      type: 'button',
      class: `segmented__option segmented__option--size size-${size}`,
      dataset: { test: `text-size-${size}`, size },
      'aria-pressed': 'false',
      onclick: () => handlers.onTextSize(size),
    }),
  );

  // One toggle: pressed means high contrast is on (its name says what pressing gives).
  const contrastLabel = h('span', { class: 'hbtn__label' });
  const contrastButton = h(
    'button',
    {
      type: 'button',
      class: 'hbtn hbtn--toggle',
      dataset: { test: 'contrast' },
      'aria-pressed': 'false',
      onclick: () => handlers.onContrast(contrastButton.getAttribute('aria-pressed') !== 'true'),
    },
    icon('contrast', 'icon--contrast'),
    contrastLabel,
  );

  const staffLabel = h('span', { class: 'hbtn__label' });
  const staffButton = h(
    'button',
    { type: 'button', class: 'hbtn hbtn--quiet', dataset: { test: 'staff-open' }, onclick: handlers.onStaff },
    icon('lock'),
    staffLabel,
  );

  settings.replaceChildren(
    h(
      'div',
      { class: 'setting', role: 'group', 'aria-labelledby': languageLabel.id },
      h('span', { class: 'setting__head' }, icon('globe'), languageLabel),
      h('div', { class: 'segmented' }, languageButtons),
    ),
    h(
      'div',
      { class: 'setting', role: 'group', 'aria-labelledby': sizeLabel.id },
      h('span', { class: 'setting__head' }, icon('textSize'), sizeLabel),
      h('div', { class: 'segmented' }, sizeButtons),
    ),
    contrastButton,
    staffButton,
  );

  return {
    /** @param {{ lang: string, textSize: string, contrast: string, screen: string, app?: { clinicName?: string } }} state */
    update(state) {
      nav.setAttribute('aria-label', t('header.navLabel'));
      homeLabel.textContent = t('header.home');
      backLabel.textContent = t('header.back');
      helpLabel.textContent = t('header.help');
      // The visible word starts the name, as WCAG 2.5.3 asks.
      helpButton.setAttribute('aria-label', t('header.helpLabel'));
      // Staff screens are never said aloud (keys.js): no Help there.
      helpButton.hidden = isStaffScreen(state.screen);
      // A misconfigured kiosk's start screen is its home.
      const onHome = state.screen === 'home' || state.screen === 'config-problem';
      // On home the Back button keeps its place but is switched off.
      backButton.disabled = onHome;
      brand.textContent = state.app?.clinicName ?? '';
      brand.classList.toggle('is-hidden', onHome);
      brand.setAttribute('aria-hidden', onHome ? 'true' : 'false');

      staffLabel.textContent = t('header.staff');
      // The visible word starts the name, as WCAG 2.5.3 asks.
      staffButton.setAttribute('aria-label', t('header.staffLabel'));
      // In the staff view it has nothing to open.
      staffButton.hidden = STAFF_SCREENS.has(state.screen);

      languageLabel.textContent = t('header.language');
      for (const button of languageButtons) {
        button.setAttribute('aria-pressed', String(button.dataset.lang === state.lang));
      }
      sizeLabel.textContent = t('header.textSize');
      for (const button of sizeButtons) {
        const key = SIZE_KEYS[button.dataset.size ?? ''];
        button.replaceChildren(
          // The visible symbol stays in the accessible name ("A+ Large text"), as WCAG 2.5.3 asks.
          h('span', { class: 'segmented__symbol' }, t(`header.${key}.symbol`)),
          ' ',
          srOnly(t(`header.${key}.label`)),
        );
        button.setAttribute('aria-pressed', String(button.dataset.size === state.textSize));
      }
      contrastLabel.textContent = t('header.contrast');
      contrastButton.setAttribute('aria-pressed', String(state.contrast === 'high'));
    },
  };
}
