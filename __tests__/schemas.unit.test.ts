import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { generateSchemas } from '../scripts/generate-schemas.ts';
import { Fixture } from '../src/fixtures/schema.ts';
import { Report } from '../src/report/schema.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLES = path.join(ROOT, '__tests__/data/fixtures-good');

type JsonObject = Record<string, unknown>;
type Check = (data: unknown) => string[];

/** The published schemas are draft 2020-12; check data against them with a validator that speaks it. */
function schemaChecker(schema: JsonObject): Check {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`));
}

async function exampleFixtureFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.smoke\.(ya?ml|json)$/.test(entry.name))
    .filter((entry) => !path.relative(dir, entry.parentPath).split(path.sep).some((part) => part.startsWith('.')))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

function generated(file: string): JsonObject {
  const schema = generateSchemas().find((entry) => entry.file === file);
  assert.ok(schema, `${file} is generated`);
  return JSON.parse(schema.content) as JsonObject;
}

describe('published JSON Schemas', () => {
  for (const schema of generateSchemas()) {
    it(`${schema.file} is up to date with the zod schemas`, async () => {
      const committed = await readFile(path.join(ROOT, schema.file), 'utf8').catch(() => '(missing)');
      assert.ok(
        committed === schema.content,
        `${schema.file} is stale: it differs from what the zod schemas generate. Run \`npm run schemas\` and commit the result.`,
      );
    });
  }

  it('names itself and its draft, and ends with a newline', () => {
    for (const schema of generateSchemas()) {
      const document = JSON.parse(schema.content) as JsonObject;
      assert.equal(document.$schema, 'https://json-schema.org/draft/2020-12/schema');
      // A name that points at no placeholder host: editors find the file by its path, not by its id.
      assert.equal(document.$id, `urn:reliability-smoke:schema:v1:${path.basename(schema.file, '.schema.json')}`);
      assert.equal(typeof document.title, 'string');
      assert.ok(schema.content.endsWith('}\n'));
      assert.equal(Object.keys(document)[0], '$schema');
    }
  });

  it('lists every fixture field, and no others', () => {
    const [single, list] = generated('schema/fixture.schema.json').anyOf as JsonObject[];
    assert.deepEqual(Object.keys(single?.properties as JsonObject).sort(), Object.keys(Fixture.shape).sort());
    assert.equal(single?.additionalProperties, false);
    assert.deepEqual(single?.required, ['id', 'url']);
    assert.equal(list?.additionalProperties, false);
    assert.deepEqual(list?.required, ['fixtures']);
  });

  it('accepts the example fixture files', async () => {
    const check = schemaChecker(generated('schema/fixture.schema.json'));
    const files = await exampleFixtureFiles(EXAMPLES);
    assert.equal(files.length, 4);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      const data: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      assert.deepEqual(check(data), [], path.relative(ROOT, file));
    }
  });

  it('rejects a fixture with an unknown key, as the loader does', () => {
    const check = schemaChecker(generated('schema/fixture.schema.json'));
    assert.deepEqual(check({ id: 'home', url: '/' }), []);
    assert.notDeepEqual(check({ id: 'home', url: '/', waitUntill: 'load' }), []);
    assert.notDeepEqual(check({ fixtures: [{ id: 'home', url: '/', expects: {} }] }), []);
  });

  it('describes report.json as the tool writes it: every report in __tests__/data validates', async () => {
    const schema = generated('schema/report.schema.json');
    assert.ok((schema.required as string[]).includes('schemaVersion'));
    const check = schemaChecker(schema);
    const reports = (await readdir(path.join(ROOT, '__tests__/data'))).filter((name) => /^report-.*\.json$/.test(name));
    assert.ok(reports.length >= 3);
    for (const name of reports) {
      const data: unknown = JSON.parse(await readFile(path.join(ROOT, '__tests__/data', name), 'utf8'));
      assert.doesNotThrow(() => Report.parse(data), name);
      assert.deepEqual(check(data), [], name);
    }
    assert.notDeepEqual(check({ schemaVersion: 2 }), [], 'and it rejects what is not a report');
  });
});
