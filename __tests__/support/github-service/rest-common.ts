/** Types and errors shared by the REST route modules. */
import type { BlobStore } from './blob.ts';
import type { Faults } from './faults.ts';
import type { State } from './state.ts';

export interface RestContext {
  state: State;
  blobs: BlobStore;
  faults: Faults;
  /** The API base URL, no trailing slash. */
  apiUrl: string;
  githubTokens: ReadonlySet<string>;
}

export interface RestRequest {
  params: Record<string, string>;
  url: URL;
  body: unknown;
  /** `owner/repo` from the path. */
  repository: string;
}

export interface RestAnswer {
  status: number;
  /** Omitted for bodiless answers (204, 302). */
  json?: unknown;
  headers?: Record<string, string>;
}

export type RestHandler = (context: RestContext, request: RestRequest) => RestAnswer | Promise<RestAnswer>;

export interface ValidationProblem {
  resource: string;
  field: string;
  code: 'missing_field' | 'invalid' | 'too_long' | 'too_many' | 'custom';
  message?: string;
}

export class GitHubError extends Error {
  readonly status: number;
  readonly errors: ValidationProblem[];
  constructor(status: number, message: string, errors: ValidationProblem[] = []) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

export const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Problems parsing JSON',
  401: 'Bad credentials',
  403: 'Resource not accessible by integration',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  422: 'Validation Failed',
  500: 'Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function errorBody(status: number, message: string, errors: ValidationProblem[] = []): Record<string, unknown> {
  return {
    message,
    ...(errors.length > 0 ? { errors } : {}),
    documentation_url: 'https://docs.github.com/rest',
    status: String(status),
  };
}

export function numericParam(params: Record<string, string>, name: string): number {
  const text = params[name] ?? '';
  if (!/^\d+$/.test(text)) throw new GitHubError(404, 'Not Found');
  return Number(text);
}
