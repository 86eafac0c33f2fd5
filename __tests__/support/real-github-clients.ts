/**
 * Child-process script: runs operations with the REAL @actions/artifact and @actions/github clients against
 * whatever the environment points at (the loopback GitHub service in tests). Usage:
 *   node real-github-clients.ts <ops.json> <results.json>
 * See ./github-service/child.ts for the operations and for how to spawn it.
 */
import fs from 'node:fs';
import { DefaultArtifactClient } from '@actions/artifact';
import { getOctokit } from '@actions/github';
import type { ClientError, ClientOp, FindBy, OpResult } from './github-service/child.ts';

const [opsFile, resultFile] = process.argv.slice(2);
if (!opsFile || !resultFile) throw new Error('usage: real-github-clients.ts <ops.json> <results.json>');

const client = new DefaultArtifactClient();

async function perform(op: ClientOp): Promise<unknown> {
  switch (op.op) {
    case 'upload':
      return client.uploadArtifact(op.name, op.files, op.rootDir, { retentionDays: op.retentionDays });
    case 'list':
      return client.listArtifacts({ latest: op.latest, ...findBy(op.findBy) });
    case 'get':
      return client.getArtifact(op.name, findBy(op.findBy));
    case 'download':
      return client.downloadArtifact(op.artifactId, {
        path: op.path,
        expectedHash: op.expectedHash,
        ...findBy(op.findBy),
      });
    case 'delete':
      return client.deleteArtifact(op.name, findBy(op.findBy));
    case 'request': {
      const response = await getOctokit(op.token).request(op.route, op.params ?? {});
      return { status: response.status, headers: { link: response.headers.link }, data: response.data };
    }
    case 'paginate':
      return getOctokit(op.token).paginate(op.route, op.params ?? {});
  }
}

const findBy = (value: FindBy | undefined): { findBy?: FindBy } => (value ? { findBy: value } : {});

function describe(error: unknown): ClientError {
  if (error instanceof Error) {
    const status = (error as { status?: unknown }).status;
    return { name: error.name, message: error.message, ...(typeof status === 'number' ? { status } : {}) };
  }
  return { name: 'NonError', message: String(error) };
}

const ops = JSON.parse(fs.readFileSync(opsFile, 'utf8')) as ClientOp[];
const results: OpResult[] = [];
for (const op of ops) {
  try {
    results.push({ ok: true, value: await perform(op) });
  } catch (error) {
    results.push({ ok: false, error: describe(error) });
  }
}
fs.writeFileSync(resultFile, JSON.stringify(results));
