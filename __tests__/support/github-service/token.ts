/**
 * Credentials of the loopback service. The runtime token is a real HS256 JWT, signed with a secret that lives only
 * as long as the service, whose `scp` claim carries `Actions.Results:<runBackendId>:<jobBackendId>` as the runner's
 * token does. @actions/artifact only decodes it; the service verifies it. Backend ids are UUIDs derived from the run
 * id (and, for jobs, from run id, attempt and job name), so they are stable and every attempt's job is distinct.
 */
import crypto from 'node:crypto';

export interface BackendIds {
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
}

export function uuidFrom(text: string): string {
  const hex = crypto.createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const runBackendId = (runId: number): string => uuidFrom(`workflow-run:${runId}`);

export const jobBackendId = (runId: number, attempt: number, jobId: string): string =>
  uuidFrom(`workflow-job-run:${runId}:${attempt}:${jobId}`);

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export function mintRuntimeToken(secret: Buffer, ids: BackendIds, lifetimeSeconds = 6 * 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
  const payload = base64url(
    JSON.stringify({
      scp: [
        'Actions.ExampleScope',
        `Actions.Results:${ids.workflowRunBackendId}:${ids.workflowJobRunBackendId}`,
      ].join(' '),
      iss: 'loopback-github-service',
      aud: 'loopback-results',
      iat: now,
      nbf: now,
      exp: now + lifetimeSeconds,
    }),
  );
  return `${header}.${payload}.${sign(secret, `${header}.${payload}`)}`;
}

/** The backend ids a valid runtime token grants, or a reason it is not valid. */
export function verifyRuntimeToken(secret: Buffer, token: string): BackendIds | { invalid: string } {
  const [header, payload, signature, ...rest] = token.split('.');
  if (!header || !payload || !signature || rest.length > 0) return { invalid: 'token is not a JWT' };
  const expected = Buffer.from(sign(secret, `${header}.${payload}`));
  const actual = Buffer.from(signature);
  if (expected.length !== actual.length || !crypto.timingSafeEqual(expected, actual)) {
    return { invalid: 'token signature is invalid' };
  }
  let claims: { scp?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return { invalid: 'token payload is not JSON' };
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return { invalid: 'token has expired' };
  if (typeof claims.scp !== 'string') return { invalid: 'token has no scp claim' };
  for (const scope of claims.scp.split(' ')) {
    const parts = scope.split(':');
    if (parts[0] === 'Actions.Results' && parts.length === 3 && parts[1] && parts[2]) {
      return { workflowRunBackendId: parts[1], workflowJobRunBackendId: parts[2] };
    }
  }
  return { invalid: 'token has no Actions.Results scope' };
}

function sign(secret: Buffer, data: string): string {
  return crypto.createHmac('sha256', secret).update(data).digest('base64url');
}

/** A token shaped like an installation token (`ghs_` and 36 characters). */
export function newGitHubToken(): string {
  return `ghs_${crypto.randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;
}

/** The token in `Authorization: token <t>` or `Authorization: Bearer <t>`, or undefined. */
export function bearerOrToken(header: string | undefined, schemes: readonly string[]): string | undefined {
  if (!header) return undefined;
  const match = /^(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match?.[1] || !match[2]) return undefined;
  return schemes.includes(match[1].toLowerCase()) ? match[2] : undefined;
}
