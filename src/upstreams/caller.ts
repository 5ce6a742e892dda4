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
   * With Keystone, `project:<id>` of the token's project: the breaker counts a project's failures apart, so the
   * users of one project cannot open a circuit for the others (see CircuitBreaker).
   */
  project?: string;
  /**
   * The client's address as an identity (`address:…`): what Keystone's failures at validating a token not known
   * yet are blamed on, as the door counts such a token; else one client making up three tokens was three callers.
   */
  addressIdentity?: string;
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
  /** Cuts its calls at the deadline: one timer per GraphQL request, shared by all of its upstream calls. */
  cutoff?: Cutoff;
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

/** See Cutoff.writeFloorMs: a Cinder or Manila write answers in well under a second. */
export const WRITE_FLOOR_MS = 1_000;

/**
 * A request's deadline as what cuts its upstream calls short (transport.ts, exchangeOnce): one timer per request,
 * set by its first call and cleared once the request is over with no call out. An AbortSignal.timeout per request
 * kept its timer and signal alive for the whole REQUEST_DEADLINE_MS after most answers were written, and every
 * call added and removed an EventTarget listener: 4 to 5 % of the facade's CPU per screen, measured side by side.
 */
export class Cutoff {
  private timer: NodeJS.Timeout | null = null;
  /** Each call out, and whether it only reads (a GET): reads are cut when the client leaves, writes never. */
  private readonly calls = new Map<(reason: Error) => void, boolean>();
  private passed: Error | null = null;
  private left: Error | null = null;

  /**
   * The least time that must be left for a write to be sent at all (a quarter of the request's time, at most
   * WRITE_FLOOR_MS): one sent with milliseconds left is cut at the deadline and answered OUTCOME_UNKNOWN though
   * it happened, where a write not sent is a plain timeout the client may retry.
   */
  readonly writeFloorMs: number;

  /** `at`: epoch ms; `budgetMs`: the request's whole time (REQUEST_DEADLINE_MS), when known. */
  constructor(
    readonly at: number,
    budgetMs = 0,
  ) {
    this.writeFloorMs = Math.min(WRITE_FLOOR_MS, budgetMs / 4);
  }

  /** Why calls are cut: set once the deadline has passed (even if its timer could not fire yet). */
  get reason(): Error | null {
    if (!this.passed && Date.now() >= this.at) this.passed = deadlinePassed();
    return this.passed;
  }

  /** Why a call is not sent: the deadline passed, or the client left (a write not sent yet then is not sent at all). */
  refusal(): Error | null {
    return this.reason ?? this.left;
  }

  /**
   * `cut` is called once if the deadline passes (or, for a read, the client leaves) while the call is out; false
   * (not watched) if that has happened already.
   */
  watch(cut: (reason: Error) => void, read = false): boolean {
    if (this.refusal()) return false;
    this.calls.set(cut, read);
    if (!this.timer) {
      this.timer = setTimeout(() => this.expire(), this.at - Date.now());
      this.timer.unref();
    }
    return true;
  }

  /** The call is over. */
  unwatch(cut: (reason: Error) => void): void {
    this.calls.delete(cut);
  }

  /**
   * The request's client went away before its answer: reads still out are cut, and no more calls of any kind are
   * sent, since no one will see them (a write the client never saw start must not happen behind its back: it would
   * retry it). Writes already out go on: one sent may have happened, and cutting it would not undo it.
   */
  abandon(): void {
    if (this.left) return;
    const reason = (this.left = clientLeft());
    for (const [cut, read] of [...this.calls]) {
      if (!read) continue;
      this.calls.delete(cut);
      cut(reason);
    }
  }

  /** The request is over: the timer goes unless a call is still out (it is cut at the deadline, as before). */
  release(): void {
    if (this.timer && this.calls.size === 0) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private expire(): void {
    this.timer = null;
    // Set here even if the wall clock lags the timer's: a call after this one is refused, not given a new timer.
    const reason = (this.passed ??= deadlinePassed());
    const cut = [...this.calls.keys()];
    this.calls.clear();
    for (const c of cut) c(reason);
  }
}

/** A call cut because its request's client left: the facade's own doing, never the upstream's fault. */
export class ClientLeft extends Error {
  override name = 'ClientLeft';
}

function clientLeft(): Error {
  return new ClientLeft('The client closed its connection before the answer; the call was not needed any more.');
}

/** What AbortSignal.timeout's abort says, so a cut call reads the same as before (name `TimeoutError`). */
function deadlinePassed(): Error {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}
