import { setMaxListeners } from 'node:events';
import type { RequestTrace } from '../observability/requestTrace.js';
import type { Bulkhead } from './resilience.js';

/** Who is asking, for one GraphQL request: forwarded to every upstream call and never stored beyond it. */
export interface Caller {
  token: string | null;
  /** Sent upstream as X-OpenStack-Request-ID: always `req-<uuid>`, the only form Cinder and Manila take. */
  requestId: string;
  /** The GraphQL request's ids, counts and span (src/observability): every upstream call of the request reports here. */
  trace?: RequestTrace;
  /**
   * Who this is, for rules that must not let one caller affect the others: a hash of the token, or the client's
   * address when there is no token. Never the token itself. The circuit breaker blames the failures this
   * request's calls may have provoked on it (see CircuitBreaker); without it they count for everyone.
   */
  identity?: string;
  /**
   * Set while the door counts this request against its client address until an upstream accepts its token
   * (without Keystone: see doorCaller): told the status of every answer to a call made with the token.
   */
  tokenAnswered?: (status: number) => void;
  /**
   * Set while the door counts this request against its client address because its token is not known yet: told
   * when Keystone refuses the token at a validation call (MAX_REFUSED_TOKENS_PER_CLIENT).
   */
  tokenRefused?: () => void;
  /** The token's hash (TokenCache.keyOf), made once per request for every key that must not hold the token. */
  tokenHash?: string;
  /** Epoch ms by which the GraphQL request must be answered; upstream calls are cut to fit. */
  deadline?: number;
  /**
   * Identical GETs of this request in flight at the same moment share one upstream call (two loaders can want
   * the same listing at once). Lives and dies with the request.
   */
  gets?: Map<string, Promise<unknown>>;
  /** Aborts at the deadline: one timer per GraphQL request, shared by all of its upstream calls. */
  signal?: AbortSignal;
  /**
   * This request's own share of each upstream (keyed by its HttpClient): at most as many calls in flight or
   * waiting at the upstream's bulkhead as it has connections; the rest of the request's fan-out waits here
   * for its earlier calls. Without it, one page of a few hundred parents filled the shared queue by itself and
   * was refused as if the facade were overloaded. Lives and dies with the request.
   */
  lanes?: Map<object, Bulkhead>;
  /**
   * An admin's request that asked for allProjects: every project-scoped listing of the request carries
   * `all_tenants=1`, so the children of another project's objects are found too. Remembered sizes and pages are
   * kept apart from the project-scoped ones.
   */
  allProjects?: boolean;
}

/**
 * The signal that aborts a request's upstream calls at its deadline. Every call in flight listens on it, and a
 * page can have dozens (filtered listings per parent, over several upstreams; each upstream's bulkhead admits at
 * most 64 at once), so the listener cap sits above that instead of warning at Node's default of 10.
 */
export function deadlineSignal(ms: number): AbortSignal {
  const signal = AbortSignal.timeout(ms);
  setMaxListeners(MAX_CALLS_PER_REQUEST, signal);
  return signal;
}

const MAX_CALLS_PER_REQUEST = 1_000;
