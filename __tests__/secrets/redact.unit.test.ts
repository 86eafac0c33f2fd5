/** The redactor: every form a secret takes on its way through a browser and into our files becomes `***`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor, formsOf, lineRedactor, MASK, redactStrings } from '../../src/secrets/redact.ts';

const SECRET = 'p@ss w0rd&<"é">';

describe('a redactor', () => {
  it('hides a value as itself, URL-encoded, form-encoded, JSON-escaped and HTML-escaped', () => {
    const redactor = createRedactor();
    redactor.add(SECRET);
    const places = [
      `typed ${SECRET}`,
      `GET https://a.example/?q=${encodeURIComponent(SECRET)}`,
      `GET https://a.example/${encodeURI(SECRET)}`,
      `POST body ${new URLSearchParams({ q: SECRET }).toString()}`,
      `console: ${JSON.stringify({ password: SECRET })}`,
      `<p>${SECRET.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')}</p>`,
      `<input value="${SECRET.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}">`,
    ];
    for (const text of places) {
      const redacted = redactor.redact(text);
      assert.ok(redacted.includes(MASK), `${text} → ${redacted}`);
      for (const form of formsOf(SECRET)) assert.ok(!redacted.includes(form), `${form} is gone from ${redacted}`);
    }
  });

  it('hides the longer of two overlapping secrets whole, and each line of a secret on several lines', () => {
    const redactor = createRedactor();
    redactor.add('token');
    redactor.add('token-and-more');
    redactor.add('first line\nsecond line');
    assert.equal(redactor.redact('a token-and-more b token c'), 'a *** b *** c');
    assert.equal(redactor.redact('log: second line'), 'log: ***');
  });

  it('registers each new form once, and refuses a value too short to hide', () => {
    const registered: string[] = [];
    const redactor = createRedactor({ onSecret: (form) => registered.push(form) });
    assert.equal(redactor.add('hunter 2'), true);
    assert.equal(redactor.add('hunter 2'), true);
    assert.deepEqual(registered, formsOf('hunter 2'));
    assert.equal(redactor.add('ab'), false);
    assert.equal(redactor.redact('ab cd'), 'ab cd');
    assert.equal(redactor.size, 1);
  });

  it('redacts every text of a JSON value but the identifiers it is told to keep', () => {
    const redactor = createRedactor();
    redactor.add('s3cret-token');
    const value = { id: 's3cret-token', message: 'saw s3cret-token', list: ['s3cret-token', 2], nested: { url: '/?t=s3cret-token' } };
    assert.deepEqual(redactStrings(value, (text) => redactor.redact(text), new Set(['id'])), {
      id: 's3cret-token',
      message: 'saw ***',
      list: ['***', 2],
      nested: { url: '/?t=***' },
    });
  });

  it('redacts a stream line by line, so a secret split between two chunks is still hidden', () => {
    const redactor = createRedactor();
    redactor.add('s3cret-token');
    let out = '';
    const writer = lineRedactor((text) => void (out += text), redactor);
    writer.write('listening, token s3cr');
    writer.write('et-token\nnext line s3cret');
    writer.write('-token without newline');
    writer.end();
    assert.equal(out, 'listening, token ***\nnext line *** without newline');
  });
});
