/**
 * Writes the published JSON Schemas from the zod schemas that validate at run time, so editors and the runtime
 * can never disagree. `npm run schemas` regenerates them; __tests__/schemas.unit.test.ts fails when they are stale.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FixtureFile } from '../src/fixtures/schema.ts';
import { Report } from '../src/report/schema.ts';

/**
 * The schemas' `$id`: a name, not an address. There is no published URL to promise, so the id is a URN that names the
 * tool, the schema and its version; editors find the file itself by path (in a project that installed the package,
 * `node_modules/reliability-smoke/schema/fixture.schema.json`), which the README shows.
 */
export function schemaId(file: string): string {
  return `urn:reliability-smoke:schema:v1:${file.replace(/\.schema\.json$/, '')}`;
}

export interface GeneratedSchema {
  /** Path relative to the repository root, with "/" separators. */
  file: string;
  /** Exactly what the file should hold: 2-space JSON and a trailing newline. */
  content: string;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `$schema`, `$id`, `title` and `description` first, then zod's output in its own (stable) order. */
function withHeader(schema: Record<string, unknown>, name: string): string {
  const { $schema, title, description, ...rest } = schema;
  const document = { $schema, $id: schemaId(name), title, description, ...rest };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function generateSchemas(): GeneratedSchema[] {
  // Fixture files are what people write, so the input side: defaults optional, durations as written.
  const fixture = z.toJSONSchema(FixtureFile, { target: 'draft-2020-12', io: 'input' });
  // report.json is what the tool writes, so the output side: every field present.
  const report = z.toJSONSchema(Report, { target: 'draft-2020-12', io: 'output' });
  return [
    { file: 'schema/fixture.schema.json', content: withHeader(fixture, 'fixture.schema.json') },
    { file: 'schema/report.schema.json', content: withHeader(report, 'report.schema.json') },
  ];
}

export async function writeSchemas(root: string = REPO_ROOT): Promise<string[]> {
  const written: string[] = [];
  for (const schema of generateSchemas()) {
    const target = path.join(root, schema.file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, schema.content);
    written.push(schema.file);
  }
  return written;
}

if (import.meta.main) {
  const written = await writeSchemas();
  console.log(`wrote ${written.join(', ')}`);
}
