/**
 * dist/ is what users run, so it must be built from the sources beside it. `npm run build` ends by writing
 * dist/sources.sha256, a digest of everything the build reads: src/, the lockfile (which pins every dependency and
 * ncc itself), tsconfig.json and package.json's version, dependencies and build script.
 *
 *   node scripts/dist-stamp.ts write    after a build
 *   node scripts/dist-stamp.ts check    exits 1, saying what to do, when dist/ is stale (`npm test` runs it first)
 *
 * A digest rather than a rebuild and a byte comparison: a rebuild takes about a minute, and its bytes depend on
 * where node_modules lives (a symlinked node_modules gives other module paths), while the digest takes
 * milliseconds and depends only on the sources. CI's check-dist workflow still rebuilds and compares every byte.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const STAMP_FILE = 'sources.sha256';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

interface PackageManifest {
  version?: string;
  dependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

function filesUnder(root: string, dir: string): string[] {
  return (fs.readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** The digest of what the build reads. Line endings are normalised, so a checkout with CRLF gives the same one. */
export function sourcesDigest(root = REPO_ROOT): string {
  const hash = crypto.createHash('sha256');
  const add = (name: string, text: string) => hash.update(`${name}\0${text.replace(/\r\n/g, '\n')}\0`);
  for (const file of [...filesUnder(root, 'src'), 'package-lock.json', 'tsconfig.json']) {
    add(file, fs.readFileSync(path.join(root, file), 'utf8'));
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageManifest;
  add('package.json', JSON.stringify({ version: manifest.version, dependencies: manifest.dependencies, build: manifest.scripts?.build }));
  return hash.digest('hex');
}

/** Why dist/ cannot be trusted to be the sources built, or null when it can. */
export function distStaleness(root = REPO_ROOT): string | null {
  const stampPath = path.join(root, 'dist', STAMP_FILE);
  const rebuild = 'Run `npm run build` and commit dist/ with the sources.';
  if (!fs.existsSync(stampPath)) return `dist/${STAMP_FILE} is missing, so nothing says which sources dist/ was built from. ${rebuild}`;
  const stamped = fs.readFileSync(stampPath, 'utf8').trim();
  const digest = sourcesDigest(root);
  if (stamped === digest) return null;
  return `dist/ is stale: it was built from other sources than src/, package-lock.json, tsconfig.json and package.json hold now (digest ${stamped.slice(0, 12)}, sources ${digest.slice(0, 12)}). ${rebuild}`;
}

/** Throws when dist/ is stale: the tests that run the bundles call it, so they never pass on an old build. */
export function assertDistFresh(): void {
  const staleness = distStaleness();
  if (staleness !== null) throw new Error(staleness);
}

function main(command: string | undefined): number {
  if (command === 'write') {
    fs.writeFileSync(path.join(REPO_ROOT, 'dist', STAMP_FILE), `${sourcesDigest()}\n`);
    return 0;
  }
  if (command === 'check') {
    const staleness = distStaleness();
    if (staleness === null) return 0;
    console.error(staleness);
    return 1;
  }
  console.error('usage: node scripts/dist-stamp.ts write|check');
  return 2;
}

if (import.meta.main) process.exitCode = main(process.argv[2]);
