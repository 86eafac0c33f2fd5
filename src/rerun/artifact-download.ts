/**
 * Bringing a smoke artifact's zip onto the runner's disk, as it streams, and nothing more: GitHub's REST API says
 * where the zip is (a signed blob URL, answered as a redirect), and the bytes go to one file whose name is ours,
 * counted and hashed on the way, cut off past a size limit or when the download stalls. Nothing is unpacked here
 * (zip-entry.ts reads report.json out of the file), so an artifact can cost at most its size on disk.
 *
 * A failure says what failed (GitHub's API, blob storage, a stall, the size) and is retried a few times when it may
 * be temporary (5xx, 429, a dropped connection, a stall), with a new signed URL each time.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { HttpClient } from '@actions/http-client';
import type { RerunFailureCode } from './diagnostics.ts';

export interface DownloadLimits {
  /** The zip is not read past this many bytes. */
  maxBytes: number;
  /** A download that receives nothing for this long is given up (ms). */
  stallMs: number;
  /** Tries in all, for failures that may be temporary. */
  attempts: number;
  /** Wait before the second try; doubled before each later one (ms). */
  backoffMs: number;
}

export const DOWNLOAD_LIMITS: DownloadLimits = { maxBytes: 512 * 1024 * 1024, stallMs: 30_000, attempts: 3, backoffMs: 1_000 };

export type DownloadFailureCode = Extract<RerunFailureCode, 'download-failed' | 'permission-denied' | 'too-large' | 'artifact-expired' | 'no-artifact'>;

const USER_AGENT = 'reliability-smoke';

export class DownloadError extends Error {
  readonly code: DownloadFailureCode;
  /** Worth another try: a server error, a dropped connection, a stall. */
  readonly temporary: boolean;
  constructor(code: DownloadFailureCode, message: string, temporary = false) {
    super(message);
    this.name = 'DownloadError';
    this.code = code;
    this.temporary = temporary;
  }
}

export interface DownloadedZip {
  bytes: number;
  /** "sha256:<hex>" of the bytes received, as GitHub records an artifact's digest. */
  digest: string;
}

/** Where an artifact's zip can be fetched from: the signed URL GitHub's REST API redirects to. */
export type ZipLocator = (artifactId: number) => Promise<string>;

/** Fetches the artifact's zip into `file`, trying again when a failure may be temporary. */
export async function downloadArtifactZip(
  locate: ZipLocator,
  artifactId: number,
  file: string,
  limits: DownloadLimits = DOWNLOAD_LIMITS,
  onRetry: (message: string) => void = () => {},
): Promise<DownloadedZip> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await downloadTo(await locate(artifactId), file, limits);
    } catch (error) {
      const failure = error instanceof DownloadError ? error : new DownloadError('download-failed', describe(error), true);
      if (!failure.temporary || attempt >= limits.attempts) throw failure;
      const waitMs = limits.backoffMs * 2 ** (attempt - 1);
      onRetry(`The download failed (${failure.message}); trying again in ${waitMs / 1000}s (try ${attempt + 1} of ${limits.attempts}).`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** The URL without its query: a signed URL's signature is a credential, and never goes into a message. */
export function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(an unreadable URL)';
  }
}

/**
 * What went wrong, without any URL's query: the HTTP client names the signed URL in some errors ("Request timeout:
 * /path?...&sig=..."), and a signature is a credential that must not reach the log or the report.
 */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const reason = (error instanceof Error ? error.message : String(error)).replace(/(\/[^\s?]*)\?[^\s)'"]*/g, '$1');
  return cause?.code ? `${reason} (${cause.code})` : reason;
}

async function downloadTo(url: string, file: string, limits: DownloadLimits): Promise<DownloadedZip> {
  const where = `blob storage (${withoutQuery(url)})`;
  // No credentials: the URL carries its own signature, and GitHub's token must never go to blob storage. The
  // runner's proxy settings (https_proxy, no_proxy) apply, as for every other request of the Action.
  const client = new HttpClient(USER_AGENT, [], { allowRetries: false, socketTimeout: limits.stallMs });
  const handle = await open(file, 'w');
  let stall: NodeJS.Timeout | undefined;
  try {
    const response = await client.get(url);
    const { message } = response;
    const status = message.statusCode ?? 0;
    if (status !== 200) {
      message.resume();
      const temporary = status >= 500 || status === 429 || status === 408;
      throw new DownloadError('download-failed', `${where} answered HTTP ${status} ${message.statusMessage ?? ''}`.trim(), temporary);
    }
    let stalled = false;
    const armStall = () => {
      clearTimeout(stall);
      stall = setTimeout(() => {
        stalled = true;
        message.destroy(new Error('stalled'));
      }, limits.stallMs);
    };
    const hash = createHash('sha256');
    let bytes = 0;
    armStall();
    try {
      for await (const chunk of message as AsyncIterable<Buffer>) {
        armStall();
        bytes += chunk.byteLength;
        if (bytes > limits.maxBytes) {
          message.destroy();
          throw new DownloadError('too-large', `the download passed ${limits.maxBytes} bytes, more than any smoke artifact`);
        }
        hash.update(chunk);
        await handle.write(chunk);
      }
    } catch (error) {
      if (stalled) throw new DownloadError('download-failed', `${where} sent nothing for ${limits.stallMs / 1000}s`, true);
      throw error;
    }
    if (!message.complete) throw new DownloadError('download-failed', `${where} closed the connection after ${bytes} bytes`, true);
    return { bytes, digest: `sha256:${hash.digest('hex')}` };
  } catch (error) {
    if (error instanceof DownloadError) throw error;
    // The client's socket timeout (stallMs): blob storage took the request and never answered it.
    if (error instanceof Error && error.message.startsWith('Request timeout')) {
      throw new DownloadError('download-failed', `${where} did not answer within ${limits.stallMs / 1000}s`, true);
    }
    throw new DownloadError('download-failed', `${where} could not be read: ${describe(error)}`, true);
  } finally {
    clearTimeout(stall);
    await handle.close();
  }
}
