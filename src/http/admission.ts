import type { Upstreams } from '../context.js';

/** What the door can see of an upstream's bulkhead (class Bulkhead in src/upstreams/resilience.ts). */
export interface BulkheadGauge {
  readonly inFlight: number;
  readonly queued: number;
  readonly maxActive: number;
  readonly maxQueued: number;
}

/** A new request is refused once an upstream's bulkhead has more than this share of its waiting places taken. */
export const SHED_QUEUE_SHARE = 0.25;

export type Refusal =
  | { kind: 'overloaded'; message: string }
  | { kind: 'shutting-down'; message: string };

/** The bulkheads of the configured upstreams, by service. */
export function bulkheadsOf(upstreams: Upstreams): { service: string; bulkhead: BulkheadGauge }[] {
  return Object.entries(upstreams)
    .filter(([, client]) => client !== null)
    .map(([service, client]) => ({ service, bulkhead: (client as NonNullable<Upstreams['cinder']>).http.bulkhead }));
}

/**
 * Admission of GraphQL requests, decided once the request's body is in and before anything runs. A request is
 * refused (503 OVERLOADED, Retry-After: 1), at once and at no upstream call, when
 *
 *   1. MAX_IN_FLIGHT requests are already in progress, or
 *   2. any configured upstream is saturated: every connection to it is busy and more than SHED_QUEUE_SHARE (a
 *      quarter) of its bulkhead's waiting places are taken (64 of 256 by default).
 *
 * Why 2: past that point a new request's calls would only wait behind the calls already queued, and once the queue
 * is full they are refused half-way (FACADE_BULKHEAD_FULL): a partial answer out of work already paid for. Clients
 * that retry at once then send the whole request again, the waste multiplies and complete screens per second
 * collapse (issue 18: 450/s at saturation, 44/s at 8x). Refusing at the door costs the client one round trip and the
 * upstreams nothing, while the requests admitted keep every connection busy. The three quarters of the queue left
 * are room for the later round trips of requests already admitted (a screen reads its groups, then their links).
 * Every upstream counts, even for a query that would not call the saturated one: which upstreams a query calls is
 * known only once it runs.
 *
 * A request counts from admission until its answer is flushed or its client went away (`release`), so a drain
 * never cuts an answer still being written.
 */
export class Admission {
  private inProgress = 0;
  private closing = false;
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly maxInFlight: number,
    private readonly bulkheads: { service: string; bulkhead: BulkheadGauge }[],
  ) {}

  /** GraphQL requests admitted and not yet answered. */
  get inFlight(): number {
    return this.inProgress;
  }

  get draining(): boolean {
    return this.closing;
  }

  /** The release function of an admitted request (call it once, when its answer is out), or why it was refused. */
  admit(): (() => void) | Refusal {
    if (this.closing) return { kind: 'shutting-down', message: 'The server is shutting down; retry on another instance.' };
    if (this.inProgress >= this.maxInFlight) {
      return { kind: 'overloaded', message: `Too many requests in progress (${this.maxInFlight}); retry shortly.` };
    }
    for (const { service, bulkhead } of this.bulkheads) {
      if (bulkhead.queued > bulkhead.maxQueued * SHED_QUEUE_SHARE) {
        return {
          kind: 'overloaded',
          message: `The ${service} service is saturated (${bulkhead.inFlight} calls in flight, ${bulkhead.queued} waiting); retry shortly.`,
        };
      }
    }
    this.inProgress++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inProgress--;
      if (this.inProgress === 0) this.idle.splice(0).forEach((wake) => wake());
    };
  }

  /** From now on every request is refused as shutting down. */
  close(): void {
    this.closing = true;
  }

  /** Resolves when no request is in progress (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.inProgress === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
