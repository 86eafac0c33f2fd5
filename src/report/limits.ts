/**
 * Size limits. A report read back for a rerun comes from elsewhere (a downloaded artifact or a file), so it is
 * untrusted: these bound what it can make us hold in memory or print.
 */
export const REPORT_LIMITS = {
  /** report.json larger than this is refused before it is parsed. */
  maxReportBytes: 32 * 1024 * 1024,
  maxFixtures: 20_000,
  maxAttemptsPerFixture: 50,
  maxMessageChars: 16_000,
  maxShortTextChars: 2_000,
  maxListItems: 1_000,
} as const;

/** Cuts text to a limit, saying how much was cut, so a truncated message is never mistaken for a whole one. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = ` … [${text.length - max} more characters cut]`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}
