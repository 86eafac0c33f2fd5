/**
 * A fixture's URL made absolute against the base URL. On its own, without the browser, so that the dry-run plan
 * resolves URLs exactly as the runner does.
 */

/** Absolute URL of the fixture, or why it has none. */
export function resolveFixtureUrl(url: string, baseUrl: string | null): { url: string } | { problem: string } {
  if (URL.canParse(url)) return { url: new URL(url).href };
  if (baseUrl === null) {
    return {
      problem:
        `The fixture's url "${url}" is relative, but no base URL was given. Pass base-url (--base-url) or ` +
        'serve (--serve), or make the url absolute.',
    };
  }
  if (!URL.canParse(url, baseUrl)) return { problem: `The fixture's url "${url}" does not resolve against the base URL "${baseUrl}".` };
  return { url: new URL(url, baseUrl).href };
}
