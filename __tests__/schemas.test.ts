import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { SCHEMA_BASE_URL, generateSchemas } from '../scripts/generate-schemas.ts';
import { Fixture } from '../src/fixtures/schema.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLES = path.join(ROOT, '__tests__/data/fixtures-good');

type JsonObject = Record<string, unknown>;
type Check = (data: unknown) => string[];

/**
 * ajv is not a dependency of ours; eslint brings ajv 6 (draft-07) into node_modules. The generated schemas use
 * only keywords draft-07 shares with 2020-12, so ajv 6 can check them once `$schema` is dropped. Without ajv,
 * fall back to a structural check of the keys, which is what unknown-key errors depend on.
 */
async function schemaChecker(schema: JsonObject): Promise<{ check: Check; by: string }> {
  // A variable specifier keeps tsc from requiring ajv's types, since ajv may be absent.
  const specifier = 'ajv';
  const module = (await import(specifier).catch(() => null)) as { default: new (options: object) => AjvLike } | null;
  if (!module) return { by: 'structure', check: (data) => unknownKeys(schema, data) };
  const ajv = new module.default({ allErrors: true });
  const { $schema: _draft, ...draft07 } = schema;
  const validate = ajv.compile(draft07);
  return {
    by: 'ajv',
    check: (data) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`)),
  };
}

interface AjvLike {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: { dataPath: string; message: string }[] | null };
}

/** Keys of a fixture (or fixtures: list) that the schema's fixture properties do not declare. */
function unknownKeys(schema: JsonObject, data: unknown): string[] {
  const [single] = schema.anyOf as JsonObject[];
  const known = new Set(Object.keys((single?.properties ?? {}) as JsonObject));
  const record = data as JsonObject;
  const fixtures = Array.isArray(record.fixtures) ? (record.fixtures as JsonObject[]) : [record];
  return fixtures.flatMap((fixture) => Object.keys(fixture).filter((key) => !known.has(key)));
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
      assert.equal(document.$id, `${SCHEMA_BASE_URL}${path.basename(schema.file)}`);
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

  it('accepts the example fixture files', async (t) => {
    const { check, by } = await schemaChecker(generated('schema/fixture.schema.json'));
    t.diagnostic(`checked with ${by}`);
    const files = await exampleFixtureFiles(EXAMPLES);
    assert.equal(files.length, 4);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      const data: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      assert.deepEqual(check(data), [], path.relative(ROOT, file));
    }
  });

  it('rejects a fixture with an unknown key, as the loader does', async () => {
    const { check } = await schemaChecker(generated('schema/fixture.schema.json'));
    assert.deepEqual(check({ id: 'home', url: '/' }), []);
    assert.notDeepEqual(check({ id: 'home', url: '/', waitUntill: 'load' }), []);
    assert.notDeepEqual(check({ fixtures: [{ id: 'home', url: '/', expects: {} }] }), []);
  });

  it('describes report.json as the tool writes it', async () => {
    const report = generated('schema/report.schema.json');
    assert.equal(report.type, 'object');
    assert.ok((report.required as string[]).includes('schemaVersion'));
    const { by } = await schemaChecker(report);
    assert.ok(by === 'ajv' || by === 'structure');
  });
});
