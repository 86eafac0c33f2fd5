/**
 * Real temp folders for tests, removed when the test ends, and the repository root that tests read data from.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A temporary folder for one test, removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'reliability-smoke-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes files under a folder (name → content, "/" in a name makes folders); returns their paths in order. */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): string[] {
  return Object.entries(files).map(([name, content]) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return file;
  });
}
