/**
 * `--serve DIR` and the `serve` input: a static server on 127.0.0.1 at a free port that serves the folder and
 * nothing outside it. Raw HTTP requests, so paths reach the server exactly as written (no client normalising).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServeError, serveDirectory, type StaticServer } from '../../src/serve/static-server.ts';

const BOUND = { timeout: 20_000 };

let base: string;
let root: string;
let server: StaticServer;

before(async () => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-serve-')));
  root = path.join(base, 'site');
  const files: Record<string, string> = {
    'index.html': '<h1>home</h1>',
    'app.js': 'console.log(1)',
    'style.css': 'h1{}',
    'data.json': '{"a":1}',
    'logo.svg': '<svg/>',
    'blob.bin': 'raw',
    'docs/index.html': '<h1>docs</h1>',
    'empty/.keep': '',
    'a b/c&d.html': 'spaced',
  };
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  fs.writeFileSync(path.join(base, 'secret.txt'), 'outside the root');
  fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'leak.txt'));
  fs.symlinkSync(base, path.join(root, 'up'));
  fs.symlinkSync(path.join(root, 'app.js'), path.join(root, 'alias.js'));
  server = await serveDirectory(root);
});
after(async () => {
  await server.close();
  fs.rmSync(base, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends the request line exactly as given, without a client's URL normalisation. */
function request(rawPath: string, method = 'GET'): Promise<Answer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: rawPath, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serving a folder on 127.0.0.1', () => {
  it('listens on a free port of 127.0.0.1 and gives that as the base URL', BOUND, () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('answers files with their content type and length', BOUND, async () => {
    const expected: Record<string, string> = {
      '/index.html': 'text/html; charset=utf-8',
      '/app.js': 'text/javascript; charset=utf-8',
      '/style.css': 'text/css; charset=utf-8',
      '/data.json': 'application/json; charset=utf-8',
      '/logo.svg': 'image/svg+xml',
      '/blob.bin': 'application/octet-stream',
    };
    for (const [file, type] of Object.entries(expected)) {
      const answer = await request(file);
      assert.equal(answer.status, 200, file);
      assert.equal(answer.headers['content-type'], type, file);
      assert.equal(answer.headers['content-length'], String(fs.statSync(path.join(root, file)).size), file);
    }
    assert.equal((await request('/data.json?v=2')).body, '{"a":1}', 'the query string is ignored');
    assert.equal((await request('/a%20b/c%26d.html')).body, 'spaced', 'percent-encoded names are decoded');
  });

  it('answers a folder with its index.html, and redirects a folder without its trailing slash', BOUND, async () => {
    assert.equal((await request('/')).body, '<h1>home</h1>');
    assert.equal((await request('/docs/')).body, '<h1>docs</h1>');
    const redirect = await request('/docs?tab=2');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/docs/?tab=2');
    assert.equal((await request('//docs')).headers.location, '/docs/', 'never a redirect to another host');
    assert.equal((await request('/empty/')).status, 404, 'a folder without index.html');
  });

  it('answers 404 for what is not there', BOUND, async () => {
    const answer = await request('/missing.html');
    assert.equal(answer.status, 404);
    assert.equal(answer.body, 'not found');
    assert.equal((await request('/%E0%A4%A')).status, 404, 'a malformed escape');
    assert.equal((await request('/index.html%00.js')).status, 404, 'a NUL byte');
  });

  it('never serves a file outside the folder, however the path is spelled', BOUND, async () => {
    for (const attempt of ['/../secret.txt', '/docs/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%2f..%2fsecret.txt', '/docs/%2e%2e/%2e%2e/secret.txt']) {
      const answer = await request(attempt);
      assert.notEqual(answer.body, 'outside the root', attempt);
      assert.equal(answer.status, 404, attempt);
    }
  });

  it('refuses symlinks that lead out of the folder and follows those that stay inside', BOUND, async () => {
    assert.equal((await request('/leak.txt')).status, 404);
    assert.equal((await request('/up/secret.txt')).status, 404);
    assert.equal((await request('/up/')).status, 404);
    assert.equal((await request('/alias.js')).body, 'console.log(1)');
  });

  it('answers HEAD with headers and no body, and 405 for other methods', BOUND, async () => {
    const head = await request('/app.js', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String('console.log(1)'.length));
    assert.equal(head.body, '');
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const answer = await request('/app.js', method);
      assert.equal(answer.status, 405, method);
      assert.equal(answer.headers.allow, 'GET, HEAD');
    }
  });

  it('holds its port on 127.0.0.1 only, not on every address', BOUND, async () => {
    // Binding is not traffic: another socket can take the same port on 127.0.0.2 only if the server did not
    // listen on the wildcard address (0.0.0.0 or ::), which would have made it reachable from other machines.
    const { port } = new URL(server.url);
    const result = await new Promise<string>((resolve) => {
      const probe = net.createServer();
      probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      probe.listen(Number(port), '127.0.0.2', () => probe.close(() => resolve('bound')));
    });
    assert.equal(result, 'bound', 'the port is free on other addresses');
  });
});

describe('serving what is not a folder', () => {
  it('a missing folder or a file is refused with a ServeError that says what to point at', BOUND, async () => {
    await assert.rejects(serveDirectory(path.join(base, 'nope')), (error: unknown) => {
      assert.ok(error instanceof ServeError);
      assert.match(error.message, /is not a directory\. Point it at the folder that holds your built site\./);
      return true;
    });
    await assert.rejects(serveDirectory(path.join(base, 'secret.txt')), ServeError);
  });
});
