/** Step outputs, derived from the outcome in one pure function and set on every path (pass, fail, preflight). */
import { type SmokeOutcome } from '../engine/run-smoke.ts';
import { failedFixtureIds } from '../report/outcome.ts';
import { type OutputName, Outputs } from './names.ts';
import { resultOf } from '../engine/outcome.ts';

export interface PublishedArtifact {
  name: string;
  id: string | null;
  url: string | null;
}

export function outputsFor(
  outcome: SmokeOutcome,
  extras: { artifact: PublishedArtifact | null; checkRunId: string | null },
): Record<OutputName, string> {
  const report = outcome.report;
  const summary = report?.summary;
  return {
    [Outputs.Result]: resultOf(outcome),
    [Outputs.Mode]: outcome.mode,
    [Outputs.Total]: String(summary?.total ?? 0),
    [Outputs.Passed]: String(summary?.passed ?? 0),
    [Outputs.Failed]: String(summary?.failed ?? 0),
    [Outputs.Flaky]: String(summary?.flaky ?? 0),
    [Outputs.Skipped]: String(summary?.skipped ?? 0),
    [Outputs.FailedFixtures]: JSON.stringify(report ? failedFixtureIds(report.fixtures) : []),
    [Outputs.QuarantinedFixtures]: JSON.stringify(report?.quarantine?.fixtures.map((fixture) => fixture.id) ?? []),
    [Outputs.NotCoveredFixtures]: JSON.stringify(report?.notCovered?.map((fixture) => fixture.id) ?? []),
    [Outputs.SelectedCount]: String(outcome.selectedCount),
    [Outputs.ReportPath]: outcome.reportPath ?? outcome.planPath ?? '',
    [Outputs.ArtifactName]: extras.artifact?.name ?? '',
    [Outputs.ArtifactId]: extras.artifact?.id ?? '',
    [Outputs.ArtifactUrl]: extras.artifact?.url ?? '',
    [Outputs.RerunSourceRunId]: report?.selection.source?.runId ?? '',
    [Outputs.CheckRunId]: extras.checkRunId ?? '',
  };
}
