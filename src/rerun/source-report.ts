/**
 * Reads a report back for a rerun. The report comes from elsewhere (a downloaded artifact, a file a user points
 * at), so it is untrusted: its size is checked before it is parsed, its schemaVersion before it is validated, and
 * every way it can be wrong is a distinct, named failure with a message a user can act on. Nothing here ever
 * answers a corrupt report with "nothing failed".
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { z } from 'zod';
import { jsonSyntaxError, MAX_JSON_NESTING, tooDeepAt } from '../common/json-text.ts';
import { countLines, positionAt } from '../fixtures/locate.ts';
import { REPORT_LIMITS } from '../report/limits.ts';
import { jsonPath, Report, SCHEMA_VERSION, TOOL_NAME } from '../report/schema.ts';

/** The schemaVersions this release can read. */
export const KNOWN_SCHEMA_VERSIONS: readonly number[] = [SCHEMA_VERSION];

export const REPORT_READ_FAILURES = [
  'missing',
  'unreadable',
  'too-large',
  'not-json',
  'unknown-schema-version',
  'schema-invalid',
] as const;
export type ReportReadFailure = (typeof REPORT_READ_FAILURES)[number];

/** How many schema issues a message lists before it says "and N more". */
export const MAX_LISTED_ISSUES = 20;

export class ReportReadError extends Error {
  readonly kind: ReportReadFailure;
  /** The file path or label of what was read. */
  readonly source: string;
  /** One line per problem (schema issues); empty for the other kinds. */
  readonly problems: string[];
  constructor(kind: ReportReadFailure, source: string, message: string, problems: string[] = []) {
    super(message);
    this.name = 'ReportReadError';
    this.kind = kind;
    this.source = source;
    this.problems = problems;
  }
}

export interface ReadReport {
  report: Report;
  /** "sha256:<hex>" of the exact bytes read, as recorded in the rerun's selection.source.digest. */
  digest: string;
  /** Size of what was read, in bytes. */
  bytes: number;
}

/**
 * Reads and validates a report file; `label` names it in messages (default: its path). Throws ReportReadError for
 * every way it can be wrong. The size is checked first: nothing over the limit is read into memory.
 */
export async function readReportFile(path: string, label: string = path): Promise<ReadReport> {
  const size = await fileSize(path, label);
  if (size > REPORT_LIMITS.maxReportBytes) throw tooLarge(label, size);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileError(label, error);
  }
  return parseReportBytes(bytes, label);
}

/** Validates report bytes that were obtained some other way (for example from an artifact). */
export function parseReportBytes(bytes: Uint8Array, source = 'report.json'): ReadReport {
  if (bytes.byteLength > REPORT_LIMITS.maxReportBytes) throw tooLarge(source, bytes.byteLength);
  const text = decodeUtf8(bytes, source);
  const value = parseJson(text, source);
  checkSchemaVersion(value, source);
  checkNesting(text, source);
  const parsed = Report.safeParse(value);
  if (!parsed.success) throw schemaInvalid(source, parsed.error.issues);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  return { report: parsed.data, digest, bytes: bytes.byteLength };
}

async function fileSize(path: string, label: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new ReportReadError('unreadable', label, `${label} is not a file, so it cannot be read as a report.`);
    }
    return info.size;
  } catch (error) {
    throw fileError(label, error);
  }
}

function fileError(path: string, error: unknown): ReportReadError {
  if (error instanceof ReportReadError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new ReportReadError(
      'missing',
      path,
      `No report at ${path}: the file does not exist. Point at the report.json of an earlier run, or run without ` +
        'rerun-failed to run the full suite.',
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ReportReadError('unreadable', path, `Could not read the report at ${path}: ${reason}`);
}

function tooLarge(source: string, size: number): ReportReadError {
  return new ReportReadError(
    'too-large',
    source,
    `${source} is ${size} bytes, over the ${REPORT_LIMITS.maxReportBytes}-byte limit for a report, so it was not ` +
      `parsed. A ${TOOL_NAME} report is far smaller; check that this is the right file.`,
  );
}

function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    // A leading byte-order mark is harmless; editors on Windows add one.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ReportReadError('not-json', source, `${source} is not JSON: it is not valid UTF-8 text.`);
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const { reason, offset } = jsonSyntaxError(text, error);
    const at = offset === null ? 'position unknown' : describeOffset(text, offset);
    throw new ReportReadError('not-json', source, `${source} is not valid JSON: ${reason} (${at}).`);
  }
}

function describeOffset(text: string, offset: number): string {
  if (offset >= text.length) return text.trim() === '' ? 'the file is empty' : 'it ends too early';
  const { line, column } = positionAt(countLines(text), offset);
  return `line ${line}, column ${column}, character ${offset}`;
}

/** JSON.parse reads any depth; the schema check after it recurses once per level, so deeper text stops here. */
function checkNesting(text: string, source: string): void {
  const offset = tooDeepAt(text);
  if (offset < 0) return;
  const found = `nested deeper than ${MAX_JSON_NESTING} levels (from ${describeOffset(text, offset)})`;
  const message = `${source} is not a ${TOOL_NAME} report: it is ${found}, and a report never is.`;
  throw new ReportReadError('schema-invalid', source, message, [`$: ${found}`]);
}

/** Checked before the schema, so a newer report gets "unknown version", not a pile of field errors. */
function checkSchemaVersion(value: unknown, source: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const found = kindOf(value);
    const message = `${source} is not a ${TOOL_NAME} report: it holds ${found}, not an object.`;
    throw new ReportReadError('schema-invalid', source, message, [`$: expected an object, found ${found}`]);
  }
  const version = (value as Record<string, unknown>).schemaVersion;
  if (typeof version === 'number' && KNOWN_SCHEMA_VERSIONS.includes(version)) return;
  if (version === undefined) {
    const message = `${source} has no schemaVersion, so it is not a ${TOOL_NAME} report.`;
    throw new ReportReadError('schema-invalid', source, message, ['$.schemaVersion: missing']);
  }
  const known = KNOWN_SCHEMA_VERSIONS.join(', ');
  const shown = typeof version === 'object' ? `(${kindOf(version)})` : oneLine(JSON.stringify(version)).slice(0, 40);
  throw new ReportReadError(
    'unknown-schema-version',
    source,
    `${source} has schemaVersion ${shown}, which this release of ${TOOL_NAME} ` +
      `does not know (it reads schemaVersion ${known}). Use the release that wrote the report, or run the full suite.`,
  );
}

/** What a JSON value is, without printing it: a nested value may be too deep to print. */
function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function schemaInvalid(source: string, issues: readonly z.core.$ZodIssue[]): ReportReadError {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `${jsonPath(issue.path)}: ${oneLine(issue.message)}`);
  if (issues.length > MAX_LISTED_ISSUES) listed.push(`… and ${issues.length - MAX_LISTED_ISSUES} more`);
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return new ReportReadError(
    'schema-invalid',
    source,
    `${source} does not match the ${TOOL_NAME} report schema (version ${SCHEMA_VERSION}), ${issues.length} ${noun}:\n` +
      listed.map((line) => `  - ${line}`).join('\n'),
    listed,
  );
}

/** Messages may quote values from the file; keep each on one line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
