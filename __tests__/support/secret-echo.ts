/**
 * A page that gives secrets back: it echoes the token from its URL, the bypass header, the basic-auth password and
 * what is typed into its password field in its title, its text, a console message and a failed request's URL. The
 * fixture fails on it, so every channel a failure writes to (messages, page log, evidence, summaries) is exercised,
 * and `leaks` finds any secret left anywhere, in any form it could take.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { type Site, siteFor } from './site.ts';

export const SECRETS = {
  password: 'hunter2-Pa55word',
  token: 'tok_3f9a1c77e0',
  bypass: 'bypass-8d2b6f41aa',
  basicPassword: 'basic-pw-51c0e9',
} as const;

/** What a run needs: the environment fixtures read, the header, the credentials. */
export const SECRET_ENV = { SMOKE_PASSWORD: SECRETS.password, SMOKE_TOKEN: SECRETS.token } as const;
export const BYPASS_HEADER = `X-Bypass: ${SECRETS.bypass}`;
export const CREDENTIALS = `staging:${SECRETS.basicPassword}`;

export const ECHO_FIXTURES = `fixtures:
  - id: echoes-secrets
    url: /echo?token=\${{ env.SMOKE_TOKEN }}
    headers: { X-Fixture-Token: "\${{ env.SMOKE_TOKEN }}" }
    timeout: 10s
    steps:
      - fill: { selector: "#pw", value: "\${{ env.SMOKE_PASSWORD }}" }
    expect:
      text: { selector: "#typed", equals: "not \${{ env.SMOKE_PASSWORD }}" }
      noFailedRequests: true
`;

/** The forms a secret can take in what we write: as itself, in a URL, and as a basic-auth header. */
export function secretForms(): string[] {
  const values: string[] = Object.values(SECRETS);
  return [...values, ...values.map(encodeURIComponent), Buffer.from(CREDENTIALS).toString('base64')];
}

/** Where a secret shows up, among named texts: "report.json: tok_3f9a1c77e0". */
export function leaks(texts: Record<string, string>): string[] {
  return Object.entries(texts).flatMap(([place, text]) => secretForms().filter((form) => text.includes(form)).map((form) => `${place}: ${form}`));
}

/** Every file under a folder, by its relative path, as text (a PNG too: its bytes must not hold a secret either). */
export function filesUnder(dir: string): Record<string, string> {
  const names = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => fs.statSync(path.join(dir, name)).isFile());
  return Object.fromEntries(names.map((name) => [name, fs.readFileSync(path.join(dir, name), 'latin1')]));
}

function decodedPassword(request: http.IncomingMessage): string {
  const header = request.headers.authorization ?? '';
  const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

export async function secretEchoSite(t: TestContext): Promise<Site> {
  return siteFor(t, {
    '/echo': (request, response) => {
      const token = new URL(request.url ?? '/', 'http://x').searchParams.get('token') ?? '';
      const echoed = [token, request.headers['x-bypass'] ?? '', request.headers['x-fixture-token'] ?? '', decodedPassword(request)].join(' ');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><title>Echo ${echoed}</title>
<p id="echo">${echoed}</p><input id="pw"><p id="typed"></p>
<script>
  console.error('leaking ${echoed}');
  fetch('/missing/${token}?b=${request.headers['x-bypass'] ?? ''}');
  document.getElementById('pw').addEventListener('input', (event) => {
    document.getElementById('typed').textContent = event.target.value;
  });
</script>`);
    },
  });
}

/** A start command that tells its log the secrets it was given, then serves nothing until it is stopped. */
export const CHATTY_START = `echo "starting with $SMOKE_PASSWORD and $SMOKE_TOKEN"; exec node -e "setInterval(() => {}, 1000)"`;
