/**
 * Fixture patterns: an id, or a glob where `*` matches any run of characters and `?` exactly one. Ids have no
 * "/", so there is no need for `**` or path rules.
 */

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** A whole-string matcher for one pattern; everything but `*` and `?` is literal. */
export function compilePattern(pattern: string): (id: string) => boolean {
  if (!isGlob(pattern)) return (id) => id === pattern;
  const source = Array.from(pattern, (char) => {
    if (char === '*') return '.*';
    if (char === '?') return '.';
    return char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }).join('');
  const regex = new RegExp(`^${source}$`, 's');
  return (id) => regex.test(id);
}
