/**
 * Size limits. A report read back for a rerun comes from elsewhere (a downloaded artifact or a file), so it is
 * untrusted: these bound what it can make us hold in memory or print.
 */
import type { LoadedFixture } from '../fixtures/schema.ts';
import type { FixtureResult } from './schema.ts';

export const REPORT_LIMITS = {
  /** report.json larger than this is refused before it is parsed. */
  maxReportBytes: 32 * 1024 * 1024,
  maxFixtures: 20_000,
  maxAttemptsPerFixture: 50,
  maxMessageChars: 16_000,
  maxShortTextChars: 2_000,
  maxListItems: 1_000,
  /** Console lines and failed requests a failed attempt keeps in report.json, each; its .log keeps up to 500. */
  maxPageLogEntries: 20,
  maxPageLogTextChars: 500,
  /** Outcomes of a fixture the history keeps: its last runs, oldest first. */
  maxHistoryPerFixture: 20,
  /**
   * Outcomes the whole history keeps, so report.json stays well under maxReportBytes whatever the suite (an outcome
   * is about 230 bytes as written: at most about 6 MB, bench/history-size.ts): up to 1,000 fixtures keep all 20, a
   * larger suite keeps fewer per fixture (historyDepth), and 20,000 fixtures keep 1 each.
   */
  maxHistoryEntries: 20_000,
  /** A run id or commit in a history entry: GitHub's are 20 digits and 40 hex characters at most. */
  maxHistoryIdChars: 100,
} as const;

/** How many outcomes each fixture keeps in a suite of `fixtures`: 20, or fewer when the whole would be too large. */
export function historyDepth(fixtures: number): number {
  if (fixtures <= 0) return REPORT_LIMITS.maxHistoryPerFixture;
  return Math.max(1, Math.min(REPORT_LIMITS.maxHistoryPerFixture, Math.floor(REPORT_LIMITS.maxHistoryEntries / fixtures)));
}

/** Cuts text to a limit, saying how much was cut, so a truncated message is never mistaken for a whole one. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = ` … [${text.length - max} more characters cut]`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}

/** Cuts each item and the list itself; a cut list says how many items it lost. */
export function boundedList(items: readonly string[], maxChars: number, maxItems: number = REPORT_LIMITS.maxListItems): string[] {
  const clipped = items.map((item) => clip(item, maxChars));
  if (clipped.length <= maxItems) return clipped;
  return [...clipped.slice(0, maxItems - 1), `… and ${clipped.length - maxItems + 1} more`];
}

/** Where a fixture is written (title, file, line, tags), cut to the report's limits. */
export function placementOf(fixture: LoadedFixture): Pick<FixtureResult, 'title' | 'file' | 'line' | 'tags'> {
  return {
    title: fixture.title === undefined ? null : clip(fixture.title, REPORT_LIMITS.maxShortTextChars),
    file: clip(fixture.file, REPORT_LIMITS.maxShortTextChars),
    line: fixture.line,
    tags: boundedList(fixture.tags, REPORT_LIMITS.maxShortTextChars),
  };
}
