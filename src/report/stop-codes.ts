/**
 * Every way a run can stop before any fixture runs, each with its code (report.json's `preflight.code`, the job
 * summary, the log), what happened and what to do, in the words of the README's stop-code tables. The report
 * schema accepts exactly these codes, every stop names one of them, and a test keeps the README in step.
 *
 * Adding a stop is one entry here plus its README row. Codes are never removed or renamed: a report of this
 * schema version that names one must stay readable.
 */

export interface StopCodeDoc {
  /** What happened, as the README says it (Markdown). */
  readonly happened: string;
  /** What to do about it (Markdown). */
  readonly toDo: string;
}

export const STOP_CODES = {
  // Any run: checked before a browser starts.
  usage: {
    happened: 'inputs or flags are invalid; every problem is listed at once',
    toDo: 'fix the inputs named',
  },
  'fixtures-invalid': {
    happened: 'fixture files have problems; each is listed with file, line, fixture and field',
    toDo: 'fix them at the lines named',
  },
  'nothing-selected': {
    happened: '`fixtures`, `tags` or `sample` match no fixture',
    toDo: 'check them against your fixture ids and tags',
  },
  'all-skipped': {
    happened: 'every selected fixture is parked with `skip:`, so nothing would be checked; the report lists each with its reason',
    toDo: 'remove `skip:` from one, or select other fixtures',
  },
  'base-url-missing': {
    happened:
      'fixtures use relative URLs (`url`, a `goto` step or a string `expect.url`), but there is no `base-url` or `serve`; each is named by its field',
    toDo: 'set one of them',
  },
  'env-missing': {
    happened:
      'fixtures refer to `${{ env.NAME }}` variables that are unset or empty; each is listed with file, fixture, field and variable',
    toDo: "set them in the step's `env:` (a secret as `${{ secrets.NAME }}`)",
  },
  'serve-failed': {
    happened: '`serve` is not a folder',
    toDo: 'point it at your build output',
  },
  'browser-not-found': {
    happened: 'no Chrome or Chromium in any of the four places looked at',
    toDo: 'set `browser-path`, or install Chrome',
  },
  'browser-launch-failed': {
    happened: "the browser found would not start (Chrome's own error is shown)",
    toDo: 'check it, or point `browser-path` at another',
  },
  'start-exited': {
    happened: 'the `start` command exited before `wait-for` answered; its exit code and the last 20 lines of `start.log` are shown',
    toDo: 'fix the command or the app; `start.log` in the report folder has all of its output',
  },
  'site-not-ready': {
    happened: '`wait-for` did not answer with a status below 400 within `wait-timeout`; the last status or network error and the time waited are shown',
    toDo: 'check the URL; raise `wait-timeout`; on 401 or 403, give `http-credentials` or `extra-headers`',
  },
  'report-dir-unwritable': {
    happened: '`report-dir` cannot be written (checked first, so no results are lost), or its disk filled up as the report was written',
    toDo: 'choose a folder the job can write to, on a disk with room',
  },
  'internal-error': {
    happened: 'a bug in reliability-smoke; the report carries the details',
    toDo: 'please report it with the report attached',
  },

  // A rerun that cannot find its source (the Action looks for the previous run's smoke artifact).
  'no-earlier-run': {
    happened: 'no earlier completed run of this workflow on this branch',
    toDo: 'run the suite in full first, or set `artifact-run-id`',
  },
  'run-not-found': {
    happened: '`artifact-run-id` is not a run of this repository',
    toDo: "check the id in the run's URL",
  },
  'no-artifact': {
    happened: 'earlier runs exist, but none has a smoke artifact with this `artifact-name`',
    toDo: 'check `artifact-name`; make sure the earlier run uploaded it',
  },
  'artifact-expired': {
    happened: 'the smoke artifact is past its retention',
    toDo: 'run the suite in full; raise `retention-days` if reruns need older runs',
  },
  'permission-denied': {
    happened: 'the token may not list or download artifacts',
    toDo: "add `actions: read` to the job's `permissions:` (see the README's permissions)",
  },
  'token-missing': {
    happened: '`github-token` is empty',
    toDo: 'leave it at its default, `${{ github.token }}`',
  },
  'digest-mismatch': {
    happened: 'the downloaded artifact does not match the digest recorded at upload',
    toDo: 're-run the job; run the suite in full if it persists',
  },
  'download-failed': {
    happened: "GitHub's API or blob storage failed, or the download stalled (retried three times first)",
    toDo: 'usually temporary: re-run the job',
  },
  'artifact-unreadable': {
    happened: 'the downloaded artifact is not a zip that can be read (corrupt, truncated, encrypted); nothing in it was unpacked',
    toDo: 're-run the job; run the suite in full if it persists',
  },
  'api-error': {
    happened: 'GitHub did not answer as expected',
    toDo: 'usually temporary: re-run the job',
  },
  'ghes-not-supported': {
    happened: 'GitHub Enterprise Server: `@actions/artifact` refuses it',
    toDo: 'use `fixtures` to run particular fixtures',
  },

  // A rerun whose source report cannot be used (an artifact, or the CLI's --artifact file).
  'report-missing': {
    happened: 'the artifact (or the `--artifact` file) holds no `report.json`',
    toDo: 'point at the report of a run that ran the suite',
  },
  'report-unreadable': {
    happened: 'the `--artifact` file cannot be read (not a file, or no permission)',
    toDo: 'point at a readable `report.json`',
  },
  'not-json': {
    happened: '`report.json` is not JSON (truncated, or not a report)',
    toDo: 'point at a real report, or run in full',
  },
  'schema-invalid': {
    happened: '`report.json` does not match the report schema (edited, or not ours); the problems are listed',
    toDo: 'run in full',
  },
  'unknown-schema-version': {
    happened: 'the report was written by a release with another `schemaVersion`',
    toDo: 'rerun with that release, or run in full',
  },
  'too-large': {
    happened: 'the report or artifact is far larger than any smoke report',
    toDo: 'check `artifact-name` / `artifact-run-id`',
  },
  'source-has-no-results': {
    happened: 'the source run stopped before running any fixture',
    toDo: 'fix what stopped it, then run in full',
  },
  'nothing-to-rerun': {
    happened: 'no fixture failed in the source',
    toDo: 'governed by `if-nothing-to-rerun`: `error` (default) fails, `pass` passes',
  },
  'failed-fixtures-gone': {
    happened: 'every failed fixture was renamed or removed since',
    toDo: 'run the suite in full',
  },

  // A merge of shard reports (merge: true, --merge). Each is a merge problem: it fails the result, and the merged
  // report, with every fixture the shards did report, is still written and uploaded.
  'shard-missing': {
    happened: 'a shard has no smoke artifact in this run (its job failed before uploading, or was cancelled), or no `--merge` path holds its report',
    toDo: "re-run the failed jobs: the merge takes each shard's latest attempt",
  },
  'shard-report-invalid': {
    happened: "a shard's artifact could not be downloaded, or its `report.json` fails validation (digest, JSON, schema, not a shard's report); the reason is named",
    toDo: "re-run that shard's job",
  },
  'shard-fingerprint-mismatch': {
    happened: 'shards split the suite differently (another duration source, number of shards, selection, mode or rerun source), so they are not parts of one partition',
    toDo: 'give every shard the same inputs and re-run all jobs; a `concurrency` group keeps an earlier run from finishing while shards start',
  },
  'fixture-in-two-shards': {
    happened: 'a fixture is in the part of two shards, or has a result in two shard reports',
    toDo: 're-run all jobs',
  },
  'fixture-in-no-shard': {
    happened: 'a fixture of the selection has no result in any shard report (its shard is missing, stopped or left it out); each is named',
    toDo: 're-run the failed jobs, or rerun with `rerun-failed`, which runs them again',
  },
} as const satisfies Record<string, StopCodeDoc>;

export type StopCode = keyof typeof STOP_CODES;

/** The codes, in table order: the report schema's enum. */
export const STOP_CODE_LIST = Object.keys(STOP_CODES) as [StopCode, ...StopCode[]];
