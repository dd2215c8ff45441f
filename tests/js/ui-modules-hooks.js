// @ts-check
// The module hooks that ui-modules.js registers: every file under ui/js/ is an ES module.

/**
 * @param {string} url
 * @param {{ format?: string | null }} context
 * @param {(url: string, context?: object) => Promise<unknown>} nextLoad
 */
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.includes('/ui/js/') && url.endsWith('.js')) {
    return nextLoad(url, { ...context, format: 'module' });
  }
  return nextLoad(url, context);
}
