/**
 * `${{ env.NAME }}` in fixture files: what is a reference, what is a mistake (and what the message says to do), and
 * a fixture with its values substituted, described from the fixture as written.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { loadFixtures } from '../../src/fixtures/load.ts';
import { formatProblems } from '../../src/fixtures/problems.ts';
import type { LoadedFixture } from '../../src/fixtures/schema.ts';
import { formatEnvProblem, referencedValues, referencesOf, resolveFixtureValues } from '../../src/secrets/fixture-values.ts';
import { escapeForPattern, referencedNames, substitute, templateProblem } from '../../src/secrets/template.ts';
import { tempDir, writeFiles } from '../support/temp.ts';

async function loadYaml(t: TestContext, yaml: string) {
  const dir = tempDir(t, 'smoke-templates-');
  writeFiles(dir, { 'a.smoke.yml': yaml });
  return loadFixtures(dir, { cwd: dir });
}

describe('the syntax', () => {
  it('names the variables a text refers to, with or without spaces inside the braces', () => {
    assert.deepEqual(referencedNames('/login?u=${{ env.SMOKE_USER }}&p=${{env.SMOKE_PASSWORD}}&u2=${{ env.SMOKE_USER }}'), ['SMOKE_USER', 'SMOKE_PASSWORD']);
    assert.deepEqual(referencedNames('no reference'), []);
  });

  it('substitutes each reference, and escapes a value inside a pattern so it matches itself', () => {
    const values: Record<string, string> = { HOST: 'a.example.com', Q: '(1+1)?' };
    assert.equal(substitute('https://${{ env.HOST }}/x', (name) => values[name] ?? ''), 'https://a.example.com/x');
    const pattern = substitute('^${{ env.Q }}$', (name) => values[name] ?? '', escapeForPattern);
    assert.ok(new RegExp(pattern).test('(1+1)?'));
    assert.ok(!new RegExp(pattern).test('11'));
  });

  it('says what is wrong with anything else between ${{ and }}', () => {
    assert.equal(templateProblem('plain ${{ env.OK }} text'), undefined);
    assert.match(templateProblem('${{ secrets.SMOKE_PASSWORD }}') ?? '', /only \$\{\{ env\.NAME \}\} is\. Pass the secret in the step's env \(SMOKE_PASSWORD: \$\{\{ secrets\.SMOKE_PASSWORD \}\}\)/);
    assert.match(templateProblem('${{ env.1BAD }}') ?? '', /does not name a variable/);
    assert.match(templateProblem('${{ github.sha }}') ?? '', /is not substituted: only \$\{\{ env\.NAME \}\} is/);
    assert.match(templateProblem('${{ env.OPEN') ?? '', /without a closing "\}\}"/);
  });
});

describe('fixture files', () => {
  it('accept references in values, URLs and expected texts, and refuse them where nothing is substituted', async (t) => {
    const result = await loadYaml(
      t,
      `fixtures:
  - id: good
    url: \${{ env.PREVIEW_URL }}/login
    headers: { X-Bypass: "\${{ env.BYPASS }}" }
    steps:
      - fill: { selector: "#password", value: "\${{ env.SMOKE_PASSWORD }}" }
      - press: "\${{ env.KEY }}"
      - select: { selector: "#plan", value: ["\${{ env.PLAN }}", basic] }
      - goto: /account?u=\${{ env.SMOKE_USER }}
    expect:
      title: /Welcome, \${{ env.SMOKE_USER }}/u
      url: { matches: "^\${{ env.PREVIEW_URL }}/account" }
      text: { selector: "#greeting", contains: "Hello \${{ env.SMOKE_USER }}" }
  - id: bad
    url: /
    steps:
      - click: "#\${{ env.ID }}"
      - fill: { selector: "#password", value: "\${{ secrets.SMOKE_PASSWORD }}" }
    headers: { "Bad Name": x, Host: example.com }
`,
    );
    const problems = formatProblems(result.problems);
    assert.equal(result.fixtures.map((fixture) => fixture.id).join(), 'good', problems);
    assert.match(problems, /bad steps\[0\]\.click: \$\{\{ env\.NAME \}\} is not substituted in selectors/);
    assert.match(problems, /bad steps\[1\]\.fill\.value: \$\{\{ secrets\.SMOKE_PASSWORD \}\} is not substituted here/);
    assert.match(problems, /bad headers\.Bad Name: "Bad Name" is not a header name/);
    assert.match(problems, /bad headers\.Host: Host is set by the browser/);
    assert.equal(result.problems.length, 4, problems);
  });
});

const fixture = (written: Omit<LoadedFixture, 'file' | 'line' | 'tags' | 'steps' | 'expect'> & Partial<LoadedFixture>): LoadedFixture => ({
  file: 'fixtures/a.smoke.yml',
  line: 3,
  tags: [],
  steps: [],
  expect: { noConsoleErrors: true, noPageErrors: true, noFailedRequests: false },
  ...written,
});

describe('substituting the values', () => {
  const login = fixture({
    id: 'login',
    url: '/login',
    headers: { 'X-Bypass': '${{ env.BYPASS }}' },
    steps: [{ fill: { selector: '#password', value: '${{ env.SMOKE_PASSWORD }}' } }, { goto: '/account' }],
    expect: {
      noConsoleErrors: true,
      noPageErrors: true,
      noFailedRequests: false,
      title: '/^Hi ${{ env.SMOKE_USER }}$/',
      text: [{ selector: '#a', equals: '${{ env.SMOKE_USER }}' }],
    },
  });

  it('gives the fixture its values and keeps it as written, for messages', () => {
    const env = { BYPASS: 'bypass-token-1', SMOKE_PASSWORD: 'correct horse', SMOKE_USER: 'ada.l' };
    const { fixtures, problems } = resolveFixtureValues([login], env);
    assert.deepEqual(problems, []);
    const [resolved] = fixtures;
    assert.deepEqual(resolved?.headers, { 'X-Bypass': 'bypass-token-1' });
    assert.deepEqual(resolved?.steps[0], { fill: { selector: '#password', value: 'correct horse' } });
    assert.equal(resolved?.expect.title, '/^Hi ada\\.l$/', 'inside a pattern the value matches itself: the dot is escaped');
    assert.deepEqual(resolved?.expect.text, [{ selector: '#a', equals: 'ada.l' }]);
    assert.equal(resolved?.written?.steps[0]?.fill?.value, '${{ env.SMOKE_PASSWORD }}');
    assert.equal(resolved?.file, 'fixtures/a.smoke.yml');
  });

  it('names every reference to an unset or empty variable, each with its fixture and field', () => {
    const { problems } = resolveFixtureValues([login], { SMOKE_PASSWORD: '' });
    assert.deepEqual(problems.map(formatEnvProblem), [
      'fixtures/a.smoke.yml:3 login headers.X-Bypass: ${{ env.BYPASS }} refers to the environment variable BYPASS, which is not set',
      'fixtures/a.smoke.yml:3 login steps[0].fill.value: ${{ env.SMOKE_PASSWORD }} refers to the environment variable SMOKE_PASSWORD, which is set to an empty value',
      'fixtures/a.smoke.yml:3 login expect.title: ${{ env.SMOKE_USER }} refers to the environment variable SMOKE_USER, which is not set',
      'fixtures/a.smoke.yml:3 login expect.text[0].equals: ${{ env.SMOKE_USER }} refers to the environment variable SMOKE_USER, which is not set',
    ]);
  });

  it('leaves a fixture without references as it is, and lists the values every fixture refers to', () => {
    const plain = fixture({ id: 'plain', url: '/' });
    assert.equal(resolveFixtureValues([plain], {}).fixtures[0], plain);
    assert.deepEqual(referencesOf(plain), []);
    assert.deepEqual(referencedValues([login, plain], { BYPASS: 'b-1234', SMOKE_USER: 'ada.l', OTHER: 'x' }), [
      { name: 'BYPASS', value: 'b-1234' },
      { name: 'SMOKE_USER', value: 'ada.l' },
    ]);
  });
});
