/**
 * What a report (or a dry run's plan) looks like with the run's secrets hidden: every text is redacted (messages,
 * URLs, page text, commands, warnings), except identifiers and enums (fixture ids, files, tags, evidence paths,
 * statuses, codes, the run's own context), which a mask would make invalid and which come from the repository,
 * not from a secret. Everything rendered from a report (junit.xml, report.html, the job summary, annotations, the
 * check run, the terminal) is rendered from this one.
 */
import { redactStrings } from '../secrets/redact.ts';
import type { Plan } from './plan.ts';
import type { Report } from './schema.ts';

const KEEP: ReadonlySet<string> = new Set([
  'schemaVersion',
  'planVersion',
  'dryRun',
  'tool',
  'mode',
  'run',
  'startedAt',
  'createdAt',
  'selected',
  'fixtureIds',
  'id',
  'file',
  'line',
  'tags',
  'status',
  'kind',
  'evidence',
  'type',
  'method',
  'resourceType',
  'code',
  'severity',
  'result',
  'reason',
  'digest',
  'sha',
  'runId',
  'runAttempt',
  'artifactId',
  'artifactName',
  'fixturesDir',
  'sampleSeed',
]);

/** The report with its secrets hidden; it is validated where it is written, as every report is. */
export function redactReport(report: Report, redact: (text: string) => string): Report {
  return redactStrings(report, redact, KEEP);
}

export function redactPlan(plan: Plan, redact: (text: string) => string): Plan {
  return redactStrings(plan, redact, KEEP);
}
