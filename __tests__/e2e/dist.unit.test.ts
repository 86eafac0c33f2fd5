/**
 * The committed bundles are what the runner (and `npx reliability-smoke`) execute, so they are checked: they were
 * built from the sources beside them (dist/sources.sha256, see scripts/dist-stamp.ts), both entry points exist,
 * dist/ holds nothing but the bundles, their chunks and ncc's small companions (ncc once copied the whole repository
 * into dist/main because it misread a path.resolve as an asset), no absolute path of the machine that built it is
 * baked in, it stays small, and the version it reports is the package's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { distStaleness, STAMP_FILE, sourcesDigest } from '../../scripts/dist-stamp.ts';
import { TOOL_VERSION } from '../../src/version.ts';
import { REPO_ROOT, tempDir } from '../support/temp.ts';

const DIST = path.join(REPO_ROOT, 'dist');
const BUNDLE_DIRS = ['', 'cli'] as const;
const MAX_DIST_BYTES = 20 * 1024 * 1024;

/** What ncc writes for one entry point: the bundle, its lazily loaded chunks, the ESM marker, the licenses. */
const BUNDLE_FILE = /^(index\.js|\d+\.index\.js|package\.json|licenses\.txt)$/;

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).map((entry) => {
    const full = path.join(entry.parentPath, entry.name);
    return path.relative(DIST, full).split(path.sep).join('/') + (entry.isDirectory() ? '/' : '');
  });
}

const bundleFiles = (dir: string) => fs.readdirSync(path.join(DIST, dir)).filter((name) => name.endsWith('.js'));

/** Chunk ids a bundle loads: `__nccwpck_require__.e(360)` or `.e(/* import() *\/ 371)`. */
function chunksReferenced(text: string): number[] {
  return [...text.matchAll(/__nccwpck_require__\.e\((?:\/\*[^*]*\*\/\s*)?(\d+)\)/g)].map((match) => Number(match[1]));
}

describe('dist/', () => {
  test('was built from the sources beside it', () => {
    assert.equal(distStaleness(), null);
  });

  test('is called stale when a source changes after the build, or when nothing says what it was built from', (t) => {
    const copy = tempDir(t);
    fs.cpSync(path.join(REPO_ROOT, 'src'), path.join(copy, 'src'), { recursive: true });
    for (const file of ['package.json', 'package-lock.json', 'tsconfig.json']) fs.copyFileSync(path.join(REPO_ROOT, file), path.join(copy, file));
    assert.match(distStaleness(copy) ?? '', /dist\/sources\.sha256 is missing.*Run `npm run build`/);
    fs.mkdirSync(path.join(copy, 'dist'));
    fs.writeFileSync(path.join(copy, 'dist', STAMP_FILE), `${sourcesDigest(copy)}\n`);
    assert.equal(distStaleness(copy), null);
    fs.appendFileSync(path.join(copy, 'src', 'action', 'outputs.ts'), '\n// an edit after the build\n');
    assert.match(distStaleness(copy) ?? '', /^dist\/ is stale: .*Run `npm run build` and commit dist\/ with the sources\.$/);
  });

  test('has the Action bundle and the CLI bundle', () => {
    for (const file of ['index.js', 'cli/index.js']) {
      const full = path.join(DIST, file);
      assert.ok(fs.existsSync(full), `dist/${file} exists`);
      assert.ok(fs.statSync(full).size > 100_000, `dist/${file} is a real bundle`);
    }
    assert.match(fs.readFileSync(path.join(DIST, 'cli', 'index.js'), 'utf8'), /^#!\/usr\/bin\/env node/, 'the CLI bundle can be run as a bin');
    for (const dir of BUNDLE_DIRS) {
      const manifest = JSON.parse(fs.readFileSync(path.join(DIST, dir, 'package.json'), 'utf8')) as { type?: string };
      assert.equal(manifest.type, 'module', `dist/${dir}${dir ? '/' : ''}package.json marks the bundle as ESM`);
    }
  });

  test('holds only the bundles and their chunks, no relocated assets', () => {
    const unexpected = walk(DIST).filter((entry) => {
      if (entry === 'cli/') return false;
      const [first, rest] = entry.includes('/') ? [entry.slice(0, entry.indexOf('/')), entry.slice(entry.indexOf('/') + 1)] : ['', entry];
      return first === '' ? !BUNDLE_FILE.test(entry) && entry !== STAMP_FILE : first !== 'cli' || !BUNDLE_FILE.test(rest);
    });
    assert.deepEqual(unexpected, [], 'dist/ has files ncc copied in as assets; find the path.join/resolve it misread');
  });

  test('has every chunk its bundles load, and no chunk nothing loads', () => {
    for (const dir of BUNDLE_DIRS) {
      const files = bundleFiles(dir);
      const referenced = new Set(files.flatMap((file) => chunksReferenced(fs.readFileSync(path.join(DIST, dir, file), 'utf8'))));
      const present = new Set(files.filter((file) => file !== 'index.js').map((file) => Number(file.split('.')[0])));
      assert.deepEqual([...referenced].filter((id) => !present.has(id)).sort(), [], `dist/${dir} is missing chunks`);
      assert.deepEqual([...present].filter((id) => !referenced.has(id)).sort(), [], `dist/${dir} has stale chunks`);
    }
  });

  test('refers to no absolute path of the machine that built it', () => {
    const home = os.homedir();
    const machinePaths = [REPO_ROOT, path.join(REPO_ROOT, 'node_modules'), ...(home.length > 1 ? [`${home}/`] : [])];
    for (const dir of BUNDLE_DIRS) {
      for (const file of bundleFiles(dir)) {
        const text = fs.readFileSync(path.join(DIST, dir, file), 'utf8');
        for (const machinePath of machinePaths) {
          const at = text.indexOf(machinePath);
          assert.equal(at, -1, `dist/${dir}${dir ? '/' : ''}${file} contains "${machinePath}": …${text.slice(Math.max(0, at - 80), at + 120)}…`);
        }
      }
    }
  });

  test('stays under 20 MiB', () => {
    const bytes = walk(DIST)
      .filter((entry) => !entry.endsWith('/'))
      .reduce((sum, entry) => sum + fs.statSync(path.join(DIST, entry)).size, 0);
    assert.ok(bytes < MAX_DIST_BYTES, `dist/ is ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
  });

  test("reports the package's version", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(TOOL_VERSION, manifest.version, 'src/version.ts TOOL_VERSION equals package.json version');
    assert.ok(
      fs.readFileSync(path.join(DIST, 'index.js'), 'utf8').includes(`TOOL_VERSION = '${manifest.version}'`),
      'the Action bundle was built with this version',
    );
  });
});
