/**
 * Fault: a long suite leaves things behind. After a suite (and after one whose browser was killed mid-way), no
 * Chrome process it started is still running, no temporary Chrome profile is left in the temp folder, and this
 * process holds no more file descriptors than before. Memory over 50 and 500 fixtures is measured by
 * `npm run bench:soak` (bench/soak.ts); this test asserts only what does not depend on the machine's load.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import { runSuite } from '../../src/run/suite.ts';
import { descendantsOf } from '../../bench/proc.ts';
import { deriveStatus } from '../../src/report/outcome.ts';
import { html, startSite, type RouteHandler } from '../support/site.ts';
import { closeAll, fixture, recordingLauncher, suiteOptions, type RecordingLauncher } from '../support/suite-kit.ts';

const openFds = () => fs.readdirSync('/proc/self/fd').length;

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** What a launcher's browsers were started with: their profile folders, from Chrome's own command line. */
function profilesOf(launcher: RecordingLauncher): string[] {
  return launcher.browsers.map((browser) => {
    const profile = browser.process()?.spawnargs.find((arg) => arg.startsWith('--user-data-dir='))?.slice('--user-data-dir='.length);
    assert.ok(profile, 'Chrome was started with a profile folder');
    return profile;
  });
}

/**
 * Runs `count` fixtures on a site of their own, with every process under this one sampled while they run (Chrome
 * and its helpers: the test runner starts nothing else here), and closes the site before returning.
 */
async function suiteOf(t: TestContext, count: number, extraRoutes: Record<string, RouteHandler> = {}, kill: (launcher: RecordingLauncher) => RouteHandler = () => () => {}) {
  const site = await startSite({ '/ok': html('<h1>Hello</h1>', 'OK'), ...extraRoutes });
  const launcher = recordingLauncher();
  site.route('/kill', kill(launcher));
  const seen = new Set<number>();
  const sample = setInterval(() => descendantsOf(process.pid).forEach((pid) => pid !== process.pid && seen.add(pid)), 50);
  try {
    const fixtures = Array.from({ length: count }, (_, index) => fixture({ id: `page-${index}`, url: index === 3 && extraRoutes['/kill'] !== undefined ? '/kill' : '/ok', expect: { visible: ['h1'] } }));
    const run = await runSuite(fixtures, suiteOptions(t, { launcher, baseUrl: site.url, concurrency: 2, defaultRetries: 0 }));
    return { run, launcher, chrome: [...seen] };
  } finally {
    clearInterval(sample);
    await closeAll(launcher);
    await site.close();
  }
}

describe('after a suite', { timeout: 300_000 }, () => {
  it('no Chrome process, temp profile or file descriptor is left behind, even after the browser was killed', async (t) => {
    // A first suite loads every module and warms every lazy pool, so what is counted next is what a suite keeps.
    await suiteOf(t, 4);
    const fdsBefore = openFds();

    const clean = await suiteOf(t, 40);
    assert.deepEqual(clean.run.fixtures.map((result) => deriveStatus(result.attempts)), Array(40).fill('passed'));
    const killed = await suiteOf(t, 12, { '/kill': () => {} }, (launcher) => (_request, response, hit) => {
      if (hit === 1) launcher.latest().process()?.kill('SIGKILL');
      else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>back</title><h1>back</h1>');
    });
    assert.equal(killed.run.stats.browserLaunches, 2, 'the browser was killed and relaunched');

    for (const [name, { launcher, chrome }] of Object.entries({ clean, killed })) {
      assert.ok(chrome.length > 0, `${name}: Chrome processes were seen while the suite ran`);
      assert.deepEqual(chrome.filter(alive), [], `${name}: no Chrome process is left running`);
      const profiles = profilesOf(launcher);
      assert.deepEqual(profiles.filter((profile) => fs.existsSync(profile)), [], `${name}: no temporary profile is left`);
    }
    assert.ok(openFds() <= fdsBefore, `file descriptors: ${fdsBefore} before, ${openFds()} after`);
  });
});
