/**
 * Running: browser lookup order (browser-path, PUPPETEER_EXECUTABLE_PATH, CHROME_BIN, an installed
 * browser), a named place without a browser is an error, and --no-sandbox only as root. The file system is
 * replaced by a list of paths that "exist".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrowserNotFoundError, findBrowser, INSTALLED_BROWSER_PATHS, launchArgs } from '../../src/run/browser.ts';

const existing = (...paths: string[]) => (path: string) => paths.includes(path);
const LINUX_INSTALLED = INSTALLED_BROWSER_PATHS.linux ?? [];

describe('finding the browser', () => {
  const everywhere = existing('/opt/input/chrome', '/opt/puppeteer/chrome', '/opt/chrome-bin/chrome', ...LINUX_INSTALLED);
  const env = { PUPPETEER_EXECUTABLE_PATH: '/opt/puppeteer/chrome', CHROME_BIN: '/opt/chrome-bin/chrome' };

  it('takes the browser-path input first', () => {
    const found = findBrowser({ browserPath: '/opt/input/chrome', env, platform: 'linux', isExecutable: everywhere });
    assert.deepEqual(found, { path: '/opt/input/chrome', source: 'browser-path' });
  });

  it('then PUPPETEER_EXECUTABLE_PATH, then CHROME_BIN', () => {
    assert.deepEqual(findBrowser({ env, platform: 'linux', isExecutable: everywhere }), {
      path: '/opt/puppeteer/chrome',
      source: 'PUPPETEER_EXECUTABLE_PATH',
    });
    assert.deepEqual(findBrowser({ env: { CHROME_BIN: env.CHROME_BIN }, platform: 'linux', isExecutable: everywhere }), {
      path: '/opt/chrome-bin/chrome',
      source: 'CHROME_BIN',
    });
  });

  it('then the first installed Chrome or Chromium, in the documented order', () => {
    const found = findBrowser({ env: {}, platform: 'linux', isExecutable: existing('/usr/bin/chromium', '/snap/bin/chromium') });
    assert.deepEqual(found, { path: '/usr/bin/chromium', source: 'installed' });
  });

  it('treats an empty or blank setting as not set', () => {
    const found = findBrowser({
      browserPath: '  ',
      env: { PUPPETEER_EXECUTABLE_PATH: '', CHROME_BIN: env.CHROME_BIN },
      platform: 'linux',
      isExecutable: everywhere,
    });
    assert.equal(found.source, 'CHROME_BIN');
  });

  it('fails when a named place holds no browser, instead of silently using another one', () => {
    const onlyEnvWorks = existing('/opt/puppeteer/chrome', ...LINUX_INSTALLED);
    assert.throws(
      () => findBrowser({ browserPath: '/opt/typo/chrome', env, platform: 'linux', isExecutable: onlyEnvWorks }),
      (error: unknown) => {
        assert.ok(error instanceof BrowserNotFoundError);
        assert.match(error.message, /browser-path is set to "\/opt\/typo\/chrome", but no executable browser is there/);
        return true;
      },
    );
    assert.throws(
      () => findBrowser({ env: { CHROME_BIN: '/opt/gone/chrome' }, platform: 'linux', isExecutable: existing(...LINUX_INSTALLED) }),
      /CHROME_BIN is set to "\/opt\/gone\/chrome"/,
    );
  });

  it('names all four places it looked when there is no browser anywhere', () => {
    assert.throws(
      () => findBrowser({ env: {}, platform: 'linux', isExecutable: existing() }),
      (error: unknown) => {
        assert.ok(error instanceof BrowserNotFoundError);
        for (const place of ['browser-path', 'PUPPETEER_EXECUTABLE_PATH', 'CHROME_BIN', ...LINUX_INSTALLED]) {
          assert.ok(error.message.includes(place), `the message names ${place}`);
        }
        return true;
      },
    );
  });

  it('says so when it knows no installed locations for the platform', () => {
    assert.throws(() => findBrowser({ env: {}, platform: 'aix', isExecutable: existing() }), /none known for this platform/);
  });
});

describe('Chrome flags', () => {
  it('adds --no-sandbox as root, and only then', () => {
    assert.ok(launchArgs({ root: true }).includes('--no-sandbox'));
    assert.ok(!launchArgs({ root: false }).includes('--no-sandbox'));
  });

  it('keeps one renderer per browser context, which the session reuse relies on', () => {
    for (const root of [true, false]) assert.ok(launchArgs({ root }).includes('--renderer-process-limit=1'));
  });
});
