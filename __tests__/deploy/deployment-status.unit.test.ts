/**
 * On a `deployment_status` event with base-url empty, the deployment's environment_url (else target_url) is the base
 * URL, and the check run belongs to the deployed commit. Anything else about the event is an input problem, reported
 * with the others.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { readActionContext } from '../../src/action/context.ts';
import { getInputs } from '../../src/action/inputs.ts';
import { UsageError } from '../../src/options/parse.ts';
import { type DeploymentEvent, deploymentBaseUrl } from '../../src/deploy/base-url.ts';
import { tempDir } from '../support/temp.ts';

const deployment = (overrides: Partial<DeploymentEvent> = {}): DeploymentEvent => ({
  state: 'success',
  environment: 'Preview',
  environmentUrl: 'https://app-git-feature.vercel.app',
  targetUrl: 'https://vercel.com/acme/app/deployments/123',
  sha: 'd'.repeat(40),
  ...overrides,
});
const EMPTY = { baseUrl: '', serve: '' };

describe('the base URL of a deployment', () => {
  it('is its environment_url, else its target_url, and says so', () => {
    const chosen = deploymentBaseUrl(deployment(), EMPTY);
    assert.deepEqual(chosen, {
      url: 'https://app-git-feature.vercel.app/',
      note: "The base URL is the deployment's environment_url, https://app-git-feature.vercel.app/ (environment Preview): base-url is empty and this job runs on its deployment_status event.",
    });
    const target = deploymentBaseUrl(deployment({ environmentUrl: null, targetUrl: 'https://preview.example.com/' }), EMPTY);
    assert.ok(target && 'url' in target && target.url === 'https://preview.example.com/');
  });

  it('is not used when base-url or serve is given, or the event is another', () => {
    assert.equal(deploymentBaseUrl(deployment(), { baseUrl: 'https://staging.example.com', serve: '' }), null);
    assert.equal(deploymentBaseUrl(deployment(), { baseUrl: '', serve: 'dist' }), null);
    assert.equal(deploymentBaseUrl(null, EMPTY), null);
  });

  it('is a problem when the deployment has not succeeded, has no URL, or a URL that is not http(s)', () => {
    const pending = deploymentBaseUrl(deployment({ state: 'pending' }), EMPTY);
    assert.match(pending && 'problem' in pending ? pending.problem : '', /state is "pending", not "success".*if: github\.event\.deployment_status\.state == 'success'/);
    const none = deploymentBaseUrl(deployment({ environmentUrl: null, targetUrl: null }), EMPTY);
    assert.match(none && 'problem' in none ? none.problem : '', /neither an environment_url nor a target_url/);
    const ftp = deploymentBaseUrl(deployment({ environmentUrl: 'ftp://files.example.com' }), EMPTY);
    assert.match(ftp && 'problem' in ftp ? ftp.problem : '', /environment_url must use http or https/);
  });
});

describe('the Action on a deployment_status event', () => {
  function contextFor(t: TestContext, payload: unknown) {
    const dir = tempDir(t, 'smoke-event-');
    const eventPath = path.join(dir, 'event.json');
    fs.writeFileSync(eventPath, JSON.stringify(payload));
    return readActionContext({ GITHUB_EVENT_NAME: 'deployment_status', GITHUB_EVENT_PATH: eventPath, GITHUB_SHA: 'a'.repeat(40) });
  }

  it('reads the deployment from the event, and puts the check run on the deployed commit', (t) => {
    const context = contextFor(t, {
      deployment_status: { state: 'success', environment_url: 'https://preview.example.com', target_url: 'https://ci.example.com/1' },
      deployment: { sha: 'b'.repeat(40), environment: 'Preview' },
    });
    assert.deepEqual(context.deployment, {
      state: 'success',
      environment: 'Preview',
      environmentUrl: 'https://preview.example.com',
      targetUrl: 'https://ci.example.com/1',
      sha: 'b'.repeat(40),
    });
    assert.equal(context.headSha, 'b'.repeat(40));
  });

  it('reports a deployment without a URL with every other input problem', () => {
    const inputs: Record<string, string> = { retries: 'many', 'wait-for': 'preview' };
    try {
      getInputs((name) => inputs[name] ?? '', {}, deploymentBaseUrl(deployment({ state: 'failure' }), EMPTY));
      assert.fail('the inputs were accepted');
    } catch (error) {
      assert.ok(error instanceof UsageError);
      assert.equal(error.problems.length, 3, error.message);
      assert.match(error.message, /^base-url is empty, and this deployment_status event's state is "failure"/m);
      assert.match(error.message, /^retries: /m);
      assert.match(error.message, /^wait-for: /m);
    }
  });

  it('tests the deployment when base-url is empty', () => {
    const inputs = getInputs(() => '', {}, deploymentBaseUrl(deployment(), EMPTY));
    assert.equal(inputs.baseUrl, 'https://app-git-feature.vercel.app/');
  });
});
