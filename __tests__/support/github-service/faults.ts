/**
 * Per-endpoint fault injection. A fault answers instead of the real handler, after authentication, for `times`
 * requests (every request when `times` is left out). Each service speaks its own error dialect: Twirp `{code, msg}`,
 * GitHub REST `{message, documentation_url, status}`, and Azure Storage XML. A `hang` fault answers nothing at all:
 * the request is held open (the connection stays up) until the client gives up or the service stops, as a
 * service that accepted the connection and then stalled.
 */
import type { Endpoint } from './endpoints.ts';

export type FaultSpec = ({ status: number; hang?: false } | { hang: true; status?: undefined }) & {
  endpoint: Endpoint;
  /** How many requests fail; every one when left out. */
  times?: number;
  /** Replaces the default error message (Twirp `msg`, REST `message`, Azure `<Message>`). */
  message?: string;
};

export interface Fault {
  readonly endpoint: Endpoint;
  /** The HTTP status it answers with; 0 for a fault that hangs. */
  readonly status: number;
  readonly hang: boolean;
  readonly message: string | undefined;
  /** Requests this fault has answered so far. */
  readonly fired: number;
  /** Requests it will still answer (Infinity when unbounded). */
  readonly remaining: number;
}

interface MutableFault {
  endpoint: Endpoint;
  status: number;
  hang: boolean;
  message: string | undefined;
  fired: number;
  remaining: number;
}

export class Faults {
  readonly #faults: MutableFault[] = [];

  add(spec: FaultSpec): Fault {
    if (!spec.hang && (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)) {
      throw new Error(`fault status must be an HTTP status code, got ${spec.status}`);
    }
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
      throw new Error(`fault times must be a positive integer, got ${spec.times}`);
    }
    const fault: MutableFault = {
      endpoint: spec.endpoint,
      status: spec.hang ? 0 : spec.status,
      hang: spec.hang === true,
      message: spec.message,
      fired: 0,
      remaining: spec.times ?? Number.POSITIVE_INFINITY,
    };
    this.#faults.push(fault);
    return fault;
  }

  /** Removes one fault, or every fault for an endpoint. */
  remove(target: Fault | Endpoint): void {
    for (let index = this.#faults.length - 1; index >= 0; index--) {
      const fault = this.#faults[index];
      if (fault === target || fault?.endpoint === target) this.#faults.splice(index, 1);
    }
  }

  clear(): void {
    this.#faults.length = 0;
  }

  get active(): readonly Fault[] {
    return this.#faults.filter((fault) => fault.remaining > 0);
  }

  /** The fault that answers this request, if any, already counted as fired. */
  take(endpoint: Endpoint): Fault | undefined {
    const fault = this.#faults.find((candidate) => candidate.endpoint === endpoint && candidate.remaining > 0);
    if (!fault) return undefined;
    fault.remaining -= 1;
    fault.fired += 1;
    return fault;
  }
}
