// @ts-check
// The first screen's two calls to Rust, asked for while the page's modules are still loading
// (issue #16): `app_info`, then `list_topics` in its default language. A classic script, run as
// soon as it is fetched (index.html, `async`), about 25 ms before main.js can run; api.js takes
// each answer once (`takeFirstCall`) and asks Rust itself if it is not here. Nothing else: the
// calls are the same as api.js would make, only sooner.

(() => {
  const invoke = /** @type {any} */ (window).__TAURI__?.core?.invoke;
  // Not in Tauri, or too late: main.js's first screen is already up (api.forgetFirstCalls).
  if (typeof invoke !== 'function' || /** @type {any} */ (window).__kioskFirstCalls) return;
  /** @type {Promise<any>} */
  const appInfo = invoke('app_info');
  /** @type {Promise<{ lang: string, topics: any }>} */
  const topics = appInfo.then(async (/** @type {any} */ info) => {
    const lang = String(info?.defaultLang ?? 'en');
    return { lang, topics: await invoke('list_topics', { lang }) };
  });
  // A failure is main.js's to handle once it asks; until then it is not an unhandled rejection.
  appInfo.catch(() => {});
  topics.catch(() => {});
  /** @type {any} */ (window).__kioskFirstCalls = { appInfo, topics };
})();
