/**
 * Where the site is when a `deployment_status` event runs the job and no base-url is given: the URL of the deployment
 * it announces. The choice is logged, so a run never tests a URL the reader cannot see.
 */
import { httpUrl } from '../options/values.ts';

/** What a `deployment_status` event says about the deployment (the Action reads it from the event payload). */
export interface DeploymentEvent {
  /** success, failure, error, pending, in_progress, queued, inactive. */
  state: string | null;
  environment: string | null;
  environmentUrl: string | null;
  targetUrl: string | null;
  /** The commit that was deployed. */
  sha: string | null;
}

export type BaseUrlChoice = { url: string; note: string } | { problem: string };

/**
 * The deployment's URL as the base URL, when base-url and serve are both empty: its environment_url, else its
 * target_url. Null when there is no deployment, or the user named the site.
 */
export function deploymentBaseUrl(deployment: DeploymentEvent | null, given: { baseUrl: string; serve: string }): BaseUrlChoice | null {
  if (!deployment || given.baseUrl.trim() !== '' || given.serve.trim() !== '') return null;
  if (deployment.state !== 'success') {
    return {
      problem:
        `is empty, and this deployment_status event's state is "${deployment.state ?? 'unknown'}", not "success": the deployment has no URL ` +
        "to test yet. Run the job only on success: if: github.event.deployment_status.state == 'success'",
    };
  }
  const [field, candidate] = deployment.environmentUrl
    ? (['environment_url', deployment.environmentUrl] as const)
    : (['target_url', deployment.targetUrl] as const);
  if (!candidate) {
    return { problem: 'is empty, and the deployment has neither an environment_url nor a target_url: set base-url to the deployed site' };
  }
  const parsed = httpUrl.safeParse(candidate);
  if (!parsed.success) return { problem: `is empty, and the deployment's ${field} ${parsed.error.issues[0]?.message ?? 'is not a URL'}` };
  const environment = deployment.environment ? ` (environment ${deployment.environment})` : '';
  return {
    url: parsed.data,
    note: `The base URL is the deployment's ${field}, ${parsed.data}${environment}: base-url is empty and this job runs on its deployment_status event.`,
  };
}
