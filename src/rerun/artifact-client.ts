/**
 * The artifact client, loaded when it is first used. @actions/artifact and what it brings (the Azure blob client,
 * protobuf, HTTP stacks) take about as long to load as everything else in the Action together, and a run needs it
 * only after its fixtures, to upload: loaded eagerly, every run would pay for it before its first fixture starts
 * (`node bench/startup.ts`).
 */
import type { DefaultArtifactClient } from '@actions/artifact';

/** Uploads only: downloads read report.json out of the zip themselves (artifact-download.ts, zip-entry.ts). */
export type ArtifactClient = Pick<DefaultArtifactClient, 'uploadArtifact'>;

export function lazyArtifactClient(): ArtifactClient {
  let client: Promise<DefaultArtifactClient> | null = null;
  const load = () => (client ??= import('@actions/artifact').then(({ DefaultArtifactClient }) => new DefaultArtifactClient()));
  return {
    uploadArtifact: async (...args) => (await load()).uploadArtifact(...args),
  };
}
