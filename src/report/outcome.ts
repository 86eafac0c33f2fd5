/**
 * The pure functions that turn attempts into outcomes. Everything that shows a status, a count or a verdict
 * (report, terminal, job summary, check run, outputs) derives it here, so they can never disagree.
 */

type AttemptLike = { status: 'passed' | 'failed' };
type FixtureLike = {
  id: string;
  status: 'passed' | 'failed' | 'flaky' | 'skipped';
  attempts: readonly AttemptLike[];
  carriedOver: unknown;
  recovered: boolean;
};

/** A failure counts only once the last attempt has failed; a failure followed by a pass is flaky. */
export function deriveStatus(attempts: readonly AttemptLike[]): FixtureLike['status'] {
  const last = attempts.at(-1);
  if (!last) return 'skipped';
  if (last.status === 'failed') return 'failed';
  return attempts.some((attempt) => attempt.status === 'failed') ? 'flaky' : 'passed';
}

export function deriveSummary(fixtures: readonly FixtureLike[]) {
  const count = (status: FixtureLike['status']) => fixtures.filter((fixture) => fixture.status === status).length;
  return {
    total: fixtures.length,
    passed: count('passed'),
    failed: count('failed'),
    flaky: count('flaky'),
    skipped: count('skipped'),
    carriedOver: fixtures.filter((fixture) => fixture.carriedOver !== null).length,
    recovered: fixtures.filter((fixture) => fixture.recovered).length,
  };
}

export function deriveResult(run: {
  fixtures: readonly FixtureLike[];
  options: { failOnFlaky: boolean };
  interrupted: unknown;
  preflight: { severity: 'error' | 'notice' } | null;
  /** A merged report's problems (a missing shard…): it cannot vouch for the whole suite, whatever its fixtures say. */
  mergeProblems?: readonly unknown[] | undefined;
  /** Quarantined fixtures: they run and are reported, but neither their failure nor their flakiness fails the run. */
  quarantine?: { fixtures: readonly { id: string }[] } | undefined;
}): 'pass' | 'fail' {
  if (run.mergeProblems && run.mergeProblems.length > 0) return 'fail';
  if (run.preflight) return run.preflight.severity === 'error' ? 'fail' : 'pass';
  if (run.interrupted) return 'fail';
  const quarantined = new Set((run.quarantine?.fixtures ?? []).map((fixture) => fixture.id));
  const summary = deriveSummary(run.fixtures.filter((fixture) => !quarantined.has(fixture.id)));
  if (summary.failed > 0) return 'fail';
  if (run.options.failOnFlaky && summary.flaky > 0) return 'fail';
  return 'pass';
}

/** Failed fixtures whose failure fails the run: every failed one, less the quarantined. */
export function failingFixtureIds(run: { fixtures: readonly Pick<FixtureLike, 'id' | 'status'>[]; quarantine?: { fixtures: readonly { id: string }[] } | undefined }): string[] {
  const quarantined = new Set((run.quarantine?.fixtures ?? []).map((fixture) => fixture.id));
  return failedFixtureIds(run.fixtures).filter((id) => !quarantined.has(id));
}

/** Last-failed is just the ids whose derived outcome is failed (quarantined ones too: a rerun runs them again). */
export function failedFixtureIds(fixtures: readonly Pick<FixtureLike, 'id' | 'status'>[]): string[] {
  return fixtures.filter((fixture) => fixture.status === 'failed').map((fixture) => fixture.id);
}
