import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { MAX_FIXTURE_FILE_BYTES, loadFixtures } from '../src/fixtures/load.ts';
import { formatProblems } from '../src/fixtures/problems.ts';
import type { FixtureProblem } from '../src/fixtures/problems.ts';
import { REPO_ROOT as ROOT, tempDir, writeFiles } from './support/temp.ts';

const GOOD = '__tests__/data/fixtures-good';
const BAD = '__tests__/data/fixtures-bad';
const NONE = '__tests__/data/fixtures-none';

function load(dir: string) {
  return loadFixtures(dir, { cwd: ROOT });
}

/** Writes files into a fresh temp folder, removed when the test ends; returns the folder. */
function tempFixtures(t: TestContext, files: Record<string, string | Uint8Array>): string {
  const dir = tempDir(t, 'smoke-fixtures-');
  writeFiles(dir, files);
  return dir;
}

function only(problems: FixtureProblem[]): FixtureProblem {
  assert.equal(problems.length, 1, formatProblems(problems));
  return problems[0] as FixtureProblem;
}

describe('loading a good suite', () => {
  it('finds fixture files recursively, sorted, and ignores the site, notes and dot-folders beside them', async () => {
    const result = await load(GOOD);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.files, [
      `${GOOD}/api/health.smoke.json`,
      `${GOOD}/checkout.smoke.yml`,
      `${GOOD}/home.smoke.yaml`,
      `${GOOD}/nested/deep/search.smoke.yml`,
    ]);
    assert.deepEqual(
      result.fixtures.map((fixture) => fixture.id),
      ['api-health', 'api-docs', 'checkout-cart', 'checkout-pay', 'checkout-empty', 'home', 'search'],
    );
  });

  it('reads one-fixture files and `fixtures:` lists, in .yml, .yaml and .json', async () => {
    const { fixtures } = await load(GOOD);
    const byId = new Map(fixtures.map((fixture) => [fixture.id, fixture]));
    assert.equal(byId.get('home')?.file, `${GOOD}/home.smoke.yaml`);
    assert.equal(byId.get('api-docs')?.file, `${GOOD}/api/health.smoke.json`);
    assert.equal(byId.get('checkout-empty')?.file, `${GOOD}/checkout.smoke.yml`);
    assert.deepEqual(byId.get('api-docs')?.steps, [{ goto: '/docs/index.html' }, { hover: 'nav a' }]);
  });

  it('records the line where each fixture starts, after comments and blank lines', async () => {
    const { fixtures } = await load(GOOD);
    const lines = Object.fromEntries(fixtures.map((fixture) => [fixture.id, fixture.line]));
    assert.deepEqual(lines, {
      'api-health': 3,
      'api-docs': 14,
      'checkout-cart': 3,
      'checkout-pay': 18,
      'checkout-empty': 35,
      home: 2,
      search: 1,
    });
  });

  it('turns durations into milliseconds and fills in the defaults', async () => {
    const { fixtures } = await load(GOOD);
    const cart = fixtures.find((fixture) => fixture.id === 'checkout-cart');
    assert.equal(cart?.timeout, 30_000);
    assert.deepEqual(cart?.steps[1], { waitFor: { selector: '.cart-count', state: 'visible', timeout: 5_000 } });
    const search = fixtures.find((fixture) => fixture.id === 'search');
    assert.deepEqual(search?.expect, { visible: ['.results li'], noConsoleErrors: true, noPageErrors: true, noFailedRequests: false });
    assert.deepEqual(fixtures.find((fixture) => fixture.id === 'checkout-empty')?.tags, ['checkout', 'edge']);
  });

  it('gives file paths relative to the working directory', async () => {
    const result = await loadFixtures('fixtures-good', { cwd: path.join(ROOT, '__tests__/data') });
    assert.equal(result.fixtures[0]?.file, 'fixtures-good/api/health.smoke.json');
    const absolute = await loadFixtures(path.join(ROOT, GOOD), { cwd: ROOT });
    assert.deepEqual(absolute.files, (await load(GOOD)).files);
  });

  it('lets fixtures share settings through YAML anchors and merge keys, and ignores `$schema`', async (t) => {
    const dir = tempFixtures(t, {
      'cart.smoke.yml': [
        'fixtures:',
        '  - &cart',
        '    id: cart',
        '    url: /cart.html',
        '    tags: [shop]',
        '    timeout: 10s',
        '  - <<: *cart',
        '    id: cart-mobile',
        '    viewport: { width: 390, height: 844 }',
      ].join('\n'),
      'home.smoke.json': '{ "$schema": "../schema/fixture.schema.json", "id": "home", "url": "/" }',
    });
    const result = await loadFixtures('.', { cwd: dir });
    assert.deepEqual(result.problems, []);
    const [cart, mobile, home] = result.fixtures;
    assert.deepEqual([mobile?.id, mobile?.url, mobile?.timeout, mobile?.tags, mobile?.line], ['cart-mobile', '/cart.html', 10_000, ['shop'], 7]);
    assert.equal(cart?.viewport, undefined);
    assert.ok(home && !('$schema' in home));
  });

  it('refuses a timeout longer than a day, which Node cannot wait for', async (t) => {
    const dir = tempFixtures(t, { 'slow.smoke.yml': 'id: slow\nurl: /\ntimeout: 2000m\n' });
    const result = await loadFixtures('.', { cwd: dir });
    assert.deepEqual(
      result.problems.map((problem) => `${problem.fixture} ${problem.path}: ${problem.message}`),
      ['slow timeout: must be at most a day ("1440m"); found "2000m"'],
    );
  });

  it('skips node_modules and dot-folders, which may hold files that look like fixtures', async (t) => {
    const dir = tempFixtures(t, {
      'app.smoke.yml': 'id: app\nurl: /\n',
      'node_modules/some-pkg/test.smoke.yml': 'not: [a fixture',
      '.git/hooks/x.smoke.json': '{',
      '.cache/old.smoke.yml': 'id: Old Copy\n',
    });
    const result = await loadFixtures(dir, { cwd: dir });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.files, ['app.smoke.yml']);
    assert.deepEqual(
      result.fixtures.map((fixture) => [fixture.id, fixture.file, fixture.line]),
      [['app', 'app.smoke.yml', 1]],
    );
  });
});

describe('reporting problems', () => {
  it('reports every problem in every bad file at once, each with file, line, fixture and field', async () => {
    const result = await load(BAD);
    assert.deepEqual(result.fixtures, []);
    assert.equal(result.files.length, 9);
    const b = BAD;
    assert.deepEqual(formatProblems(result.problems).split('\n'), [
      `${b}/api.smoke.json:6 api-health expect.status: expected a number or a list, found "200"; remove the quotes`,
      `${b}/api.smoke.json:6 api-health expect.noConsoleErrors: expected true or false, found "false"; remove the quotes`,
      `${b}/api.smoke.json:11 home viewport.width: must be at least 1; found 0`,
      `${b}/bare-list.smoke.yml:1: the file is a bare list; write \`fixtures:\` on the line above it so it holds several fixtures`,
      `${b}/broken.smoke.json:4:21: not valid JSON: Unexpected token ']'; remove the trailing comma before it (JSON does not allow one)`,
      `${b}/broken.smoke.yml:5:1: not valid YAML: All mapping items must start at the same column; fix the syntax here`,
      `${b}/checks.smoke.yaml:5 product-page steps[0]: a step has exactly one action, one of: click, fill, press, hover, select, waitFor, goto; found \`click\` and \`hover\``,
      `${b}/checks.smoke.yaml:9 product-page expect.title: is not a valid regular expression: Invalid regular expression: /Product [/: Unterminated character class`,
      `${b}/checks.smoke.yaml:11 product-page expect.text[0]: needs exactly one of contains, equals or matches; found \`contains\` and \`equals\``,
      `${b}/checks.smoke.yaml:15 product-page expect.text[1].matches: is not a valid regular expression: Invalid regular expression: /(\\d+/: Unterminated group`,
      `${b}/empty-list.smoke.yml:1 fixtures: is an empty list; add at least one fixture, or delete the file`,
      `${b}/empty.smoke.yml:1: the file is empty; write one fixture (id, url, ...) or \`fixtures:\` followed by a list, or delete it`,
      `${b}/ids.smoke.yml:2 fixtures[0] id: is required but missing; add \`id:\` with a string`,
      `${b}/ids.smoke.yml:4 home id: duplicate id "home": also used by the fixture at ${b}/api.smoke.json:8; ids must be unique across the suite, so rename one`,
      `${b}/ids.smoke.yml:5 home url: expected a string, found 42; put it in quotes: "42"`,
      `${b}/ids.smoke.yml:6 home tags: expected a list, found "smoke"; write it as a list: [smoke]`,
      `${b}/typos.smoke.yml:4 login-page waitUntill: unknown key \`waitUntill\`; did you mean \`waitUntil\`?`,
      `${b}/typos.smoke.yml:5 login-page timeout: must be milliseconds or a duration such as "500ms", "30s", "2m"; found "5 sec"`,
      `${b}/typos.smoke.yml:7 login-page steps[0].clik: unknown key \`clik\`; did you mean \`click\`?`,
      `${b}/typos.smoke.yml:10 login-page expect.visable: unknown key \`visable\`; did you mean \`visible\`?`,
      `${b}/typos.smoke.yml:12 fixtures[1] id: must be lowercase letters, digits, ".", "_" or "-", starting with a letter or digit; found "Signup Page"; try "signup-page"`,
      `${b}/typos.smoke.yml:14 fixtures[1] status: unknown key \`status\` here; it belongs under \`expect\``,
      `${b}/typos.smoke.yml:16 fixtures[1] expect.maxDuration: must be at least 1ms; found "0s"`,
    ]);
  });

  it('gives each problem as data too, for annotations', async () => {
    const { problems } = await load(BAD);
    const typo = problems.find((problem) => problem.path === 'waitUntill');
    assert.deepEqual(typo, {
      code: 'unknown-key',
      file: `${BAD}/typos.smoke.yml`,
      line: 4,
      column: null,
      fixture: 'login-page',
      path: 'waitUntill',
      message: 'unknown key `waitUntill`; did you mean `waitUntil`?',
    });
    const json = problems.find((problem) => problem.file.endsWith('broken.smoke.json'));
    assert.equal(json?.code, 'syntax');
    assert.deepEqual([json?.line, json?.column], [4, 21]);
    const duplicate = problems.filter((problem) => problem.code === 'duplicate-id');
    assert.equal(duplicate.length, 1, 'one problem per repeated id, naming both places');
  });

  it('points a missing field at its fixture, and a wrong one at its own line', async (t) => {
    const dir = tempFixtures(t, {
      'shop.smoke.yml': [
        'fixtures:',
        '  - id: cart',
        '    url: /cart.html',
        '    steps:',
        '      - fill: { selector: "#qty" }',
        '      - {}',
        '      - click "#buy"',
        '    expect:',
        '      text: { selector: h1 }',
        '      status: 99',
        '  - url: /no-id',
        '  - ~',
      ].join('\n'),
    });
    const { problems } = await loadFixtures('.', { cwd: dir });
    assert.deepEqual(formatProblems(problems).split('\n'), [
      'shop.smoke.yml:5 cart steps[0].fill.value: is required but missing; add `value:` with a string',
      'shop.smoke.yml:6 cart steps[1]: a step has exactly one action, one of: click, fill, press, hover, select, waitFor, goto; found none',
      'shop.smoke.yml:7 cart steps[2]: expected an object (key: value pairs), found "click \\"#buy\\""; write it as `key: value`, with a colon and a space',
      'shop.smoke.yml:9 cart expect.text: needs exactly one of contains, equals or matches; found `selector`',
      'shop.smoke.yml:10 cart expect.status: must be at least 100; found 99',
      'shop.smoke.yml:11 fixtures[1] id: is required but missing; add `id:` with a string',
      'shop.smoke.yml:12 fixtures[2]: expected an object (key: value pairs), found an empty value; fill in the item, or remove it',
    ]);
  });

  it('names a duplicate id in one problem with both locations, also within one file', async (t) => {
    const dir = tempFixtures(t, {
      'a.smoke.yml': 'fixtures:\n  - id: login\n    url: /a\n  - id: login\n    url: /b\n',
      'b.smoke.json': '{\n  "id": "login",\n  "url": "/c"\n}\n',
    });
    const result = await loadFixtures('.', { cwd: dir });
    assert.deepEqual(formatProblems(result.problems).split('\n'), [
      'a.smoke.yml:4 login id: duplicate id "login": also used by the fixture at a.smoke.yml:2; ids must be unique across the suite, so rename one',
      'b.smoke.json:2 login id: duplicate id "login": also used by the fixture at a.smoke.yml:2; ids must be unique across the suite, so rename one',
    ]);
    assert.deepEqual(
      result.fixtures.map((fixture) => `${fixture.file}:${fixture.line}`),
      ['a.smoke.yml:2'],
    );
  });

  it('reports duplicate keys, which JSON.parse and YAML readers would otherwise resolve silently', async (t) => {
    const dir = tempFixtures(t, {
      'a.smoke.json': '{\n  "id": "a",\n  "url": "/",\n  "url": "/other"\n}\n',
      'b.smoke.yml': 'id: b\nurl: /\nurl: /other\n',
    });
    const { problems } = await loadFixtures('.', { cwd: dir });
    assert.deepEqual(formatProblems(problems).split('\n'), [
      'a.smoke.json:4: key `url` appears twice in the same object (JSON keeps only the last one); keep one',
      'b.smoke.yml:3: key `url` appears twice in the same mapping; keep one',
    ]);
  });

  it('reads JSON with Windows or old Mac line ends like any other', async (t) => {
    const dir = tempFixtures(t, {
      'crlf.smoke.json': '{\r\n  "id": "crlf",\r\n  "url": "/",\r\n  "retries": "2",\r\n  "url": "/other"\r\n}\r\n',
      'cr.smoke.json': '{\r  "id": "cr",\r  "url": "/",\r  "url": "/other"\r}\r',
    });
    const { problems } = await loadFixtures('.', { cwd: dir });
    assert.deepEqual(
      problems.map((problem) => [problem.file, problem.code, problem.path, problem.message]),
      [
        ['cr.smoke.json', 'duplicate-key', '', 'key `url` appears twice in the same object (JSON keeps only the last one); keep one'],
        ['crlf.smoke.json', 'invalid', 'retries', 'expected a number, found "2"; remove the quotes'],
        ['crlf.smoke.json', 'duplicate-key', '', 'key `url` appears twice in the same object (JSON keeps only the last one); keep one'],
      ],
    );
    assert.deepEqual(problems.filter((problem) => problem.file === 'crlf.smoke.json').map((problem) => problem.line), [4, 5]);
  });

  it('allows `$schema` beside `fixtures:` but nothing else', async (t) => {
    const dir = tempFixtures(t, {
      'a.smoke.yml': '$schema: ../schema/fixture.schema.json\ntitle: Shop\nfixtures:\n  - id: a\n    url: /\n',
    });
    const { problems } = await loadFixtures('.', { cwd: dir });
    assert.equal(
      formatProblems(problems),
      'a.smoke.yml:2 title: unknown key `title` beside `fixtures:` (only `$schema` may sit there); move it into a fixture of the list, or remove it',
    );
  });

  it('reports bad regex flags in `matches` while loading, as the runner would compile them', async (t) => {
    const dir = tempFixtures(t, {
      'a.smoke.yml': [
        'id: a',
        'url: /',
        'expect:',
        '  url: { matches: "/x/uv" }',
        '  text: { selector: h1, matches: "/foo/gg" }',
      ].join('\n'),
    });
    const { problems } = await loadFixtures('.', { cwd: dir });
    assert.deepEqual(formatProblems(problems).split('\n'), [
      `a.smoke.yml:4 a expect.url.matches: is not a valid regular expression: Invalid flags supplied to RegExp constructor 'uv'; found "/x/uv"`,
      `a.smoke.yml:5 a expect.text.matches: is not a valid regular expression: Invalid flags supplied to RegExp constructor 'gg'; found "/foo/gg"`,
    ]);
  });

  it('says when JSON has comments, and where', async (t) => {
    const dir = tempFixtures(t, { 'a.smoke.json': '{\n  // the home page\n  "id": "a"\n}\n' });
    const problem = only((await loadFixtures('.', { cwd: dir })).problems);
    assert.deepEqual([problem.code, problem.line, problem.column], ['syntax', 2, 3]);
    assert.match(problem.message, /^not valid JSON: .*; JSON has no comments: remove it, or write the fixture as \.smoke\.yml$/);
  });
});

describe('the fixtures folder itself', () => {
  it('reports a folder that does not exist', async () => {
    const result = await load('no-such-fixtures');
    const problem = only(result.problems);
    assert.equal(problem.code, 'missing-dir');
    assert.equal(
      formatProblems(result.problems),
      `no-such-fixtures: fixtures folder not found (looked for ${path.join(ROOT, 'no-such-fixtures')}); create it, or point fixtures-dir (--fixtures-dir) at the folder that holds your *.smoke.yml files`,
    );
    assert.deepEqual([result.files, result.fixtures], [[], []]);
  });

  it('reports a folder with no fixture files, and names a file that only lacks ".smoke"', async () => {
    const result = await load(NONE);
    assert.equal(
      formatProblems(result.problems),
      `${NONE}: has no fixture files: only files named *.smoke.yml, *.smoke.yaml or *.smoke.json are fixtures; found ${NONE}/login.yml: if it is a fixture file, rename it to ${NONE}/login.smoke.yml`,
    );
  });

  it('reports a fixtures-dir that is a file', async () => {
    const problem = only((await load(`${GOOD}/home.smoke.yaml`)).problems);
    assert.equal(problem.code, 'not-a-dir');
  });
});

describe('guards against hostile files', () => {
  let dir = '';
  before(async () => {
    const bomb = [
      'id: bomb',
      'url: /',
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    dir = await mkdtemp(path.join(os.tmpdir(), 'smoke-fixtures-'));
    writeFiles(dir, {
      'bomb.smoke.yml': bomb,
      'huge.smoke.json': Buffer.alloc(MAX_FIXTURE_FILE_BYTES + 1, 0x20),
      'deep.smoke.json': `{"id": "deep", "url": "/", "x": ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`,
      'deep-broken.smoke.json': `{"id": "deep-broken", "url": "/", "x": ${'['.repeat(1_000_000)}}`,
    });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('refuses a YAML alias bomb instead of expanding it', async () => {
    const problem = (await loadFixtures('.', { cwd: dir })).problems.find((p) => p.file === 'bomb.smoke.yml');
    assert.equal(problem?.code, 'syntax');
    assert.match(problem?.message ?? '', /alias/);
  });

  it('refuses a file over 5 MiB without reading it', async () => {
    const problem = (await loadFixtures('.', { cwd: dir })).problems.find((p) => p.file === 'huge.smoke.json');
    assert.equal(problem?.code, 'too-large');
    assert.match(problem?.message ?? '', /over the 5 MiB limit/);
  });

  it('refuses JSON nested deeper than any fixture needs, valid or not, and names where', async () => {
    const { problems } = await loadFixtures('.', { cwd: dir });
    // The 64th `[` opens level 65 (the object is level 1).
    for (const [file, column] of [['deep.smoke.json', 96], ['deep-broken.smoke.json', 103]] as const) {
      const problem = problems.find((p) => p.file === file);
      assert.deepEqual([problem?.code, problem?.line, problem?.column], ['syntax', 1, column]);
      assert.equal(problem?.message, 'cannot be read: nesting is deeper than 64 levels, which no fixture needs');
    }
  });
});
