/**
 * The blob side: a real Azurite (the Azure Storage emulator) on 127.0.0.1, behind a logging proxy on the service's
 * own port. Clients get SAS URLs that point at the proxy, so every Put Block, Put Block List and GET shows up in the
 * service log and can be failed with a fault, while Azurite does the Azure semantics (block staging, commit, 201s,
 * content type, SAS checks). SAS signatures cover the account/container/blob path, not the host, so forwarding is
 * transparent. Telemetry is off and data stays in memory.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import {
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  type ContainerClient,
} from '@azure/storage-blob';

/** The emulator's published development account; not a secret. */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const CONTAINER = 'actions-results';
/** Requests under this path prefix are blob traffic. */
export const BLOB_PATH_PREFIX = `/${ACCOUNT}/`;

/**
 * Preloaded into Azurite: it exits when its stdin closes, which happens when this process dies without calling
 * stop() (a killed test run), so no emulator outlives its test.
 */
const ORPHAN_GUARD = `data:text/javascript,${encodeURIComponent(
  "process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();",
)}`;

export interface Azurite {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startAzurite(workDir: string, timeoutMs = 30_000): Promise<Azurite> {
  const script = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const env = { ...process.env };
  delete env.AZURITE_ACCOUNTS;
  const child = spawn(
    process.execPath,
    [
      '--import',
      ORPHAN_GUARD,
      script,
      '--inMemoryPersistence',
      '--extentMemoryLimit', '256',
      '--disableTelemetry',
      '--silent',
      '--skipApiVersionCheck',
      '--loose',
      '--disableProductStyleUrl',
      '--blobHost', '127.0.0.1',
      '--blobPort', '0',
    ],
    { cwd: workDir, env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // Closing stdin trips the orphan guard: an immediate exit. SIGTERM would make Azurite wait for idle
      // keep-alive sockets (5 s); its data is in memory, so there is nothing to shut down gracefully.
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with ${code} before listening:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  child.stdout.resume();
  child.stderr.resume();
  return { port, stop };
}

export class BlobStore {
  readonly #port: number;
  readonly #publicBaseUrl: string;
  readonly #credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);
  readonly #container: ContainerClient;
  readonly #agent = new http.Agent({ keepAlive: true });

  /** `publicBaseUrl` is where clients reach the proxy (the service's own origin). */
  constructor(azuritePort: number, publicBaseUrl: string) {
    this.#port = azuritePort;
    this.#publicBaseUrl = publicBaseUrl;
    const service = new BlobServiceClient(`http://127.0.0.1:${azuritePort}/${ACCOUNT}`, this.#credential);
    this.#container = service.getContainerClient(CONTAINER);
  }

  async init(): Promise<void> {
    await this.#container.createIfNotExists();
  }

  /** A SAS URL through the proxy: `cw` to upload (what CreateArtifact returns), `r` to download. */
  signedUrl(blobName: string, permissions: 'cw' | 'r', lifetimeMinutes = 60): string {
    const sas = generateBlobSASQueryParameters(
      {
        containerName: CONTAINER,
        blobName,
        permissions: BlobSASPermissions.parse(permissions),
        startsOn: new Date(Date.now() - 5 * 60_000),
        expiresOn: new Date(Date.now() + lifetimeMinutes * 60_000),
      },
      this.#credential,
    ).toString();
    return `${this.#publicBaseUrl}/${ACCOUNT}/${CONTAINER}/${blobName}?${sas}`;
  }

  /** Writes a blob directly to Azurite (seeding and tampering; not logged). */
  async put(blobName: string, bytes: Buffer, contentType = 'application/zip'): Promise<void> {
    await this.#container
      .getBlockBlobClient(blobName)
      .uploadData(bytes, { blobHTTPHeaders: { blobContentType: contentType } });
  }

  /** The committed size of a blob, or undefined when nothing was committed. */
  async size(blobName: string): Promise<number | undefined> {
    try {
      const properties = await this.#container.getBlobClient(blobName).getProperties();
      return properties.contentLength;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async delete(blobName: string): Promise<void> {
    await this.#container.getBlobClient(blobName).deleteIfExists();
  }

  /** Forwards one client request to Azurite unchanged and streams the answer back. */
  proxy(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: this.#port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: `127.0.0.1:${this.#port}` },
          agent: this.#agent,
        },
        (answer) => {
          const headers = { ...answer.headers };
          delete headers.connection;
          delete headers['keep-alive'];
          response.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(response);
          answer.once('end', resolve);
          answer.once('error', resolve);
        },
      );
      upstream.once('error', (error) => {
        if (!response.headersSent) azureError(response, 502, 'ProxyError', `Azurite unreachable: ${error.message}`);
        else response.destroy(error);
        resolve();
      });
      request.pipe(upstream);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

const AZURE_CODES: Record<number, string> = {
  400: 'InvalidInput',
  403: 'AuthorizationFailure',
  404: 'BlobNotFound',
  409: 'BlobAlreadyExists',
  500: 'InternalError',
  503: 'ServerBusy',
};

/** An error in Azure Storage's dialect: XML body plus `x-ms-error-code`. */
export function azureError(response: http.ServerResponse, status: number, code?: string, message?: string): void {
  const errorCode = code ?? AZURE_CODES[status] ?? 'InternalError';
  const text = (message ?? `Injected fault ${status}`).replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
  const body = `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>${errorCode}</Code><Message>${text}</Message></Error>`;
  response.writeHead(status, {
    'content-type': 'application/xml',
    'x-ms-error-code': errorCode,
    'content-length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}
