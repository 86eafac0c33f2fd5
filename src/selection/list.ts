/**
 * List inputs ("fixtures", "tags", --fixture, --tag) share one reading: commas or newlines separate items, so
 * both `a, b` and a YAML block scalar with one id per line work in a workflow file.
 */

/** Items in order of first appearance: trimmed, without empties or repeats. */
export function parseList(text: string): string[] {
  const items = text
    .split(/[,\r\n]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return [...new Set(items)];
}
