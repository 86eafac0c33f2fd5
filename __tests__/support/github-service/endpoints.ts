/**
 * Names of everything the loopback GitHub service answers. Fault injection and the request log use these names,
 * so they are typed: REST routes are spelled as Octokit spells them, Twirp calls by method name, blob traffic by
 * its HTTP verb.
 */

export const TwirpMethods = [
  'CreateArtifact',
  'FinalizeArtifact',
  'ListArtifacts',
  'GetSignedArtifactURL',
  'DeleteArtifact',
] as const;
export type TwirpMethod = (typeof TwirpMethods)[number];

export const BlobEndpoints = ['PUT blob', 'GET blob', 'HEAD blob'] as const;
export type BlobEndpoint = (typeof BlobEndpoints)[number];

export const RestRoutes = {
  getRun: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
  getRunAttempt: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}',
  listWorkflowRuns: 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
  listRuns: 'GET /repos/{owner}/{repo}/actions/runs',
  listRunArtifacts: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
  listArtifacts: 'GET /repos/{owner}/{repo}/actions/artifacts',
  getArtifact: 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}',
  deleteArtifact: 'DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}',
  downloadArtifact: 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
  createCheckRun: 'POST /repos/{owner}/{repo}/check-runs',
  updateCheckRun: 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
  getCheckRun: 'GET /repos/{owner}/{repo}/check-runs/{check_run_id}',
  listCheckRunAnnotations: 'GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations',
} as const;
export type RestRoute = (typeof RestRoutes)[keyof typeof RestRoutes];

export type Endpoint = TwirpMethod | BlobEndpoint | RestRoute;

export const Services = { results: 'results', blob: 'blob', rest: 'rest' } as const;
export type ServiceName = (typeof Services)[keyof typeof Services];
