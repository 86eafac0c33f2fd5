/**
 * Extra request headers and basic-auth credentials, as the options and fixture files give them: what a valid
 * header name is, and the Authorization value credentials become. Both front doors and the fixture schema share
 * these rules, so a name is refused the same way wherever it is written.
 */

/** RFC 9110's token: the characters a header name may have. */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers the browser sets itself from the connection and the body; a value of ours would break the request. */
const BROWSER_OWNED = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export interface Header {
  name: string;
  value: string;
}

export interface Credentials {
  username: string;
  password: string;
}

/** Why a header name cannot be used, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (!HEADER_NAME_PATTERN.test(name)) {
    return `"${name.slice(0, 60)}" is not a header name: use letters, digits and ! # $ % & ' * + - . ^ _ \` | ~, without spaces`;
  }
  if (BROWSER_OWNED.has(name.toLowerCase())) return `${name} is set by the browser for each request and cannot be replaced`;
  return undefined;
}

/** `Basic base64(user:password)`, the value of the Authorization header that answers a basic-auth challenge. */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** `base` with `overrides` on top; names compare without case, and an override keeps its own spelling. */
export function mergeHeaders(base: readonly Header[], overrides: readonly Header[]): Header[] {
  const names = new Set(overrides.map((header) => header.name.toLowerCase()));
  return [...base.filter((header) => !names.has(header.name.toLowerCase())), ...overrides];
}
