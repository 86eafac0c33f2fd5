/**
 * The run options both front doors share (src/options): every problem is reported at once, in the names the
 * user typed (`--retries` on the command line, `retries` in a workflow), with the defaults the README gives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completeOptions, parseOptions, type RawOptions, type RunOptions, UsageError } from '../../src/options/parse.ts';
import { FLAG_NAMES, INPUT_NAMES, RUN_OPTION_KEYS, type RunOptionKey } from '../../src/options/table.ts';

type Raw = RawOptions<RunOptionKey>;

/** The run options as a front door parses them, with its own names and report folder. */
function parserWith(names: Record<RunOptionKey, string>, defaultReportDir: string) {
  return (raw: Raw): RunOptions => {
    const options = completeOptions(parseOptions(RUN_OPTION_KEYS, raw, names));
    return { ...options, reportDir: options.reportDir ?? defaultReportDir };
  };
}
const parseFlags = parserWith(FLAG_NAMES, 'smoke-report');
const parseInputs = parserWith(INPUT_NAMES, '/runner/temp/reliability-smoke');

/** The problems of options that must not parse. */
function problemsOf(parse: () => RunOptions): string[] {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof UsageError, `a UsageError, not ${String(error)}`);
    assert.equal(error.message, error.problems.join('\n'));
    return error.problems;
  }
  assert.fail('the options parsed, but should not have');
}

const DEFAULTS: RunOptions = {
  fixturesDir: 'fixtures',
  baseUrl: null,
  serveDir: null,
  start: null,
  waitFor: null,
  waitTimeoutMs: 120_000,
  extraHeaders: [],
  httpCredentials: null,
  patterns: [],
  tags: [],
  excludeTags: [],
  sample: null,
  sampleSeed: 'local',
  rerunFailed: false,
  ifNothingToRerun: 'error',
  rerunInclude: { new: false, changed: false },
  shard: null,
  quarantine: 'off',
  quarantineThreshold: 0.2,
  retries: 0,
  concurrency: 2,
  timeoutMs: 30_000,
  expectTimeoutMs: 5_000,
  suiteTimeoutMs: null,
  browserPath: null,
  dryRun: false,
  failOnFlaky: false,
  reportDir: 'smoke-report',
};

describe('defaults', () => {
  it('nothing given gives the documented defaults, with the front door’s own report folder', () => {
    assert.deepEqual(parseFlags({}), DEFAULTS);
    assert.equal(parseInputs({}).reportDir, '/runner/temp/reliability-smoke');
  });

  it('inputs left empty in a workflow (empty strings) mean the defaults too', () => {
    const blank: Raw = {
      fixturesDir: '',
      baseUrl: '',
      serveDir: ' ',
      patterns: [],
      tags: [],
      sample: '',
      sampleSeed: '',
      rerunFailed: '',
      ifNothingToRerun: '',
      retries: '',
      concurrency: '',
      timeoutMs: '',
      suiteTimeoutMs: '',
      browserPath: '',
      dryRun: '',
      failOnFlaky: '',
      reportDir: '',
    };
    assert.deepEqual(parseInputs(blank), { ...DEFAULTS, reportDir: '/runner/temp/reliability-smoke' });
  });

  it('values are trimmed, and lists lose blanks and repeats but keep their order', () => {
    const options = parseFlags({ fixturesDir: ' e2e/smoke ', patterns: [' b ', 'a', 'b', ''], tags: ['x', ' x'], sample: ' 5 ', sampleSeed: 'monday' });
    assert.equal(options.fixturesDir, 'e2e/smoke');
    assert.deepEqual(options.patterns, ['b', 'a']);
    assert.deepEqual(options.tags, ['x']);
    assert.equal(options.sample, 5);
    assert.equal(options.sampleSeed, 'monday');
  });

  it('booleans are true or false as YAML spells them, from a flag or an input', () => {
    assert.equal(parseFlags({ dryRun: true, failOnFlaky: false }).dryRun, true);
    for (const text of ['true', 'True', 'TRUE']) assert.equal(parseInputs({ failOnFlaky: text }).failOnFlaky, true, text);
    for (const text of ['false', 'False', 'FALSE']) assert.equal(parseInputs({ failOnFlaky: text }).failOnFlaky, false, text);
    assert.deepEqual(problemsOf(() => parseInputs({ dryRun: 'yes' })), ['dry-run: must be true or false, not "yes"']);
  });
});

describe('every problem at once, in the user’s own names', () => {
  const bad: Raw = {
    baseUrl: 'staging.example.com',
    sample: '0',
    ifNothingToRerun: 'maybe',
    retries: '11',
    concurrency: 'two',
    timeoutMs: 'soon',
    expectTimeoutMs: '0s',
    suiteTimeoutMs: '-5s',
    rerunFailed: 'nope',
  };

  it('as flags on the command line', () => {
    assert.deepEqual(problemsOf(() => parseFlags(bad)), [
      '--base-url: must be an absolute http(s) URL, such as https://staging.example.com, not "staging.example.com"',
      '--sample: must be a whole number from 1 to 100000, not "0"',
      '--rerun-failed: must be true or false, not "nope"',
      '--if-nothing-to-rerun: must be "error" or "pass", not "maybe"',
      '--retries: must be a whole number from 0 to 10, not "11"',
      '--concurrency: must be a whole number from 1 to 32, not "two"',
      '--timeout: must be milliseconds or a duration such as "30s" or "2m", not "soon"',
      '--expect-timeout: must be milliseconds or a duration such as "30s" or "2m", not "0s"',
      '--suite-timeout: must be milliseconds or a duration such as "30s" or "2m", not "-5s"',
    ]);
  });

  it('as inputs in a workflow', () => {
    const problems = problemsOf(() => parseInputs(bad));
    assert.equal(problems.length, 9);
    assert.ok(problems.some((problem) => problem.startsWith('expect-timeout: ')));
    assert.ok(problems.includes('retries: must be a whole number from 0 to 10, not "11"'));
    assert.ok(problems.includes('if-nothing-to-rerun: must be "error" or "pass", not "maybe"'));
    assert.ok(problems.every((problem) => !problem.startsWith('--')), 'no flag names in an Action’s messages');
  });

  it('with the exclusive pairs among them', () => {
    const problems = problemsOf(() =>
      parseFlags({ baseUrl: 'https://example.com', serveDir: 'dist', rerunFailed: true, patterns: ['checkout'], retries: '-1' }),
    );
    assert.deepEqual(problems, [
      '--retries: must be a whole number from 0 to 10, not "-1"',
      '--base-url and --serve cannot be combined: serve a directory, or test a deployed URL.',
      '--rerun-failed and --fixture cannot be combined: a rerun runs exactly the fixtures that failed last time. ' +
        'Drop --fixture to rerun the failures, or drop --rerun-failed to run the fixtures you named.',
    ]);
  });
});

describe('booleans', () => {
  it('accept the YAML 1.2 words GitHub accepts, treat empty as false, and name anything else', () => {
    const reportOnly = (text: string) => parseOptions(['reportOnly'], { reportOnly: text }, INPUT_NAMES);
    assert.deepEqual(
      ['true', 'True', 'TRUE', 'false', 'FALSE', '', '  '].map((text) => completeOptions(reportOnly(text)).reportOnly),
      [true, true, true, false, false, false, false],
    );
    assert.deepEqual(reportOnly('yes').problems, ['report-only: must be true or false, not "yes"']);
  });
});

describe('exclusive options', () => {
  it('serve and base-url cannot both be set, named as the user knows them', () => {
    assert.deepEqual(problemsOf(() => parseInputs({ baseUrl: 'https://example.com', serveDir: 'dist' })), [
      'base-url and serve cannot be combined: serve a directory, or test a deployed URL.',
    ]);
    assert.equal(parseInputs({ baseUrl: '', serveDir: 'dist' }).serveDir, 'dist', 'an empty base-url is not set');
  });

  it('rerun-failed and fixtures cannot both be set; empty fixtures are not set', () => {
    const [problem] = problemsOf(() => parseInputs({ rerunFailed: 'true', patterns: ['checkout-*'] }));
    assert.match(problem ?? '', /^rerun-failed and fixtures cannot be combined/);
    assert.equal(parseInputs({ rerunFailed: 'true', patterns: [' '] }).rerunFailed, true);
    assert.deepEqual(parseFlags({ rerunFailed: false, patterns: ['checkout-*'] }).patterns, ['checkout-*']);
  });
});

describe('durations', () => {
  it('are milliseconds, or a number with ms, s or m', () => {
    const cases: [string, number][] = [['500', 500], ['750ms', 750], ['30s', 30_000], ['1.5m', 90_000], [' 2m ', 120_000], ['1440m', 86_400_000]];
    for (const [text, ms] of cases) {
      assert.equal(parseFlags({ timeoutMs: text }).timeoutMs, ms, text);
      assert.equal(parseFlags({ suiteTimeoutMs: text }).suiteTimeoutMs, ms, text);
    }
  });

  it('zero, negative, unitless words and other units are refused', () => {
    for (const text of ['0', '0s', '-1', '5 sec', '1h', 'soon']) {
      assert.deepEqual(problemsOf(() => parseFlags({ timeoutMs: text })), [
        `--timeout: must be milliseconds or a duration such as "30s" or "2m", not "${text}"`,
      ]);
    }
  });

  it('more than a day is refused, since timers cannot wait much longer and the report bounds durations', () => {
    assert.deepEqual(problemsOf(() => parseFlags({ timeoutMs: '1441m', suiteTimeoutMs: '40000m' })), [
      '--timeout: must be at most 1440m (a day), not "1441m"',
      '--suite-timeout: must be at most 1440m (a day), not "40000m"',
    ]);
  });
});

describe('base-url', () => {
  it('gets a trailing slash, so relative fixture URLs resolve under its path', () => {
    const cases: [string, string, string][] = [
      ['https://staging.example.com', 'https://staging.example.com/', 'https://staging.example.com/products.html'],
      ['http://127.0.0.1:8080/app', 'http://127.0.0.1:8080/app/', 'http://127.0.0.1:8080/app/products.html'],
      ['http://127.0.0.1:8080/app/', 'http://127.0.0.1:8080/app/', 'http://127.0.0.1:8080/app/products.html'],
      ['  https://example.com/shop?lang=en ', 'https://example.com/shop/?lang=en', 'https://example.com/shop/products.html'],
    ];
    for (const [text, normalised, products] of cases) {
      assert.equal(parseFlags({ baseUrl: text }).baseUrl, normalised, text);
      assert.equal(new URL('products.html', normalised).href, products, text);
    }
    assert.equal(new URL('products.html', parseFlags({ baseUrl: 'http://127.0.0.1/app' }).baseUrl ?? '').href, 'http://127.0.0.1/app/products.html');
  });

  it('must be http or https', () => {
    assert.deepEqual(problemsOf(() => parseFlags({ baseUrl: 'file:///srv/site' })), ['--base-url: must use http or https, not file:']);
  });
});

describe('real deployments: start, wait-for, headers and credentials', () => {
  it('reads header lines with commas in their values, credentials with a colon in the password, and a wait', () => {
    const options = parseFlags({
      extraHeaders: ['X-Vercel-Protection-Bypass: abc123', 'Accept-Language: en, fr;q=0.8', ' X-Empty: '],
      httpCredentials: 'staging:pa:ss',
      waitFor: 'https://preview.example.com/health',
      waitTimeoutMs: '5m',
    });
    assert.deepEqual(options.extraHeaders, [
      { name: 'X-Vercel-Protection-Bypass', value: 'abc123' },
      { name: 'Accept-Language', value: 'en, fr;q=0.8' },
      { name: 'X-Empty', value: '' },
    ]);
    assert.deepEqual(options.httpCredentials, { username: 'staging', password: 'pa:ss' });
    assert.equal(options.waitFor, 'https://preview.example.com/health');
    assert.equal(options.waitTimeoutMs, 300_000);
  });

  it('with start and no base URL, the base URL is the origin of wait-for', () => {
    const options = parseFlags({ start: 'npm run preview', waitFor: 'http://127.0.0.1:4173/health' });
    assert.equal(options.baseUrl, 'http://127.0.0.1:4173/');
    assert.equal(parseFlags({ waitFor: 'http://127.0.0.1:4173/health' }).baseUrl, null, 'only when the run starts the app');
    assert.equal(parseFlags({ start: 'x', waitFor: '/health', baseUrl: 'https://a.example' }).baseUrl, 'https://a.example/');
  });

  it('reports every bad value at once, naming the option, and never quotes a header value or a password', () => {
    const problems = problemsOf(() =>
      parseInputs({
        start: 'npm run preview',
        waitTimeoutMs: 'a while',
        extraHeaders: ['X-Bypass sekret-value-1', 'Bad Name: sekret-value-2', 'Host: a.example', 'X-A: 1', 'x-a: 2'],
        httpCredentials: 'sekret-value-3',
      }),
    );
    assert.deepEqual(problems, [
      'wait-timeout: must be milliseconds or a duration such as "30s" or "2m", not "a while"',
      'extra-headers: entry 1 of 5 has no colon; write each header as "Name: value" (its text is not shown, as it may be a secret)',
      `extra-headers: "Bad Name" is not a header name: use letters, digits and ! # $ % & ' * + - . ^ _ \` | ~, without spaces`,
      'extra-headers: Host is set by the browser for each request and cannot be replaced',
      'extra-headers: x-a is given twice (header names ignore case); keep one',
      'http-credentials: must be "user:password", with a colon between them (the value is not shown, as it holds a password)',
      'start needs wait-for: the URL that answers once the app is up, such as http://127.0.0.1:4173 (fixtures wait for it, and a start command that exits before it answers stops the run).',
    ]);
    assert.ok(problems.every((problem) => !problem.includes('sekret')), problems.join('\n'));
  });

  it('wait-for must be an http(s) URL or a path, and a path needs a base URL', () => {
    assert.deepEqual(problemsOf(() => parseFlags({ waitFor: 'ftp://example.com' })), [
      '--wait-for: must be an http(s) URL, such as http://127.0.0.1:4173, or a path under the base URL starting with "/", not "ftp://example.com"',
    ]);
    assert.deepEqual(problemsOf(() => parseFlags({ waitFor: 'preview' })).length, 1);
    assert.deepEqual(problemsOf(() => parseFlags({ waitFor: '/health' })), [
      '--wait-for is a path, so it needs --base-url (or --serve) to resolve against; or give a whole URL.',
    ]);
    assert.equal(parseFlags({ waitFor: '/health', serveDir: 'dist' }).waitFor, '/health');
  });

  it('an Authorization header and http-credentials cannot both be given', () => {
    assert.deepEqual(problemsOf(() => parseFlags({ extraHeaders: ['authorization: Bearer abcd'], httpCredentials: 'a:b' })), [
      '--header sets Authorization, and --http-credentials is set too: keep one of them.',
    ]);
  });
});
