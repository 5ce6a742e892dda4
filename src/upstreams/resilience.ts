/** Circuit breaker states, as /readyz reports them. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Outcomes remembered (a rolling window of the most recent calls). */
  window: number;
  /** Fewest outcomes in the window before the breaker may open. */
  minCalls: number;
  /** Failure share (0..1) at which it opens. */
  failureRate: number;
  /** How long it stays open before letting one probe through. */
  openMs: number;
  /**
   * Distinct callers whose requests must have failed before failures a caller's request may have provoked
   * (5xx answers, no answer) count at all. Default 3.
   */
  minCallers?: number;
}

/** Failed half-open probes a breaker remembers at most, as (caller, project) pairs. */
const MAX_FAILED_PAIRS = 64;

/** Projects whose own breakers a host's keeps at most (a closed one is dropped for a new one). */
export const MAX_PROJECT_BREAKERS = 1000;

export const DEFAULT_BREAKER: BreakerOptions = { window: 20, minCalls: 10, failureRate: 0.5, openMs: 5_000, minCallers: 3 };

interface Outcome {
  ok: boolean;
  /** The caller whose request may have provoked this failure; undefined when it counts for everyone. */
  by?: string;
  /** That caller's project (with Keystone), else the caller again. */
  group?: string;
}

/**
 * One per upstream. Opens on a sustained failure rate (5xx, timeouts, refused connections — never a 4xx, which
 * is the caller's problem), then fails fast until `openMs` has passed; then a probe decides.
 *
 * No caller can open it for the others. A failure of a call that never reached the upstream (connection refused,
 * connect timeout) counts for everyone: no request's content can cause it. A failure of a call the upstream
 * received (a 5xx answer, or no answer: reset, timeout) is blamed on the caller's identity (token hash, else
 * client address), because a caller's input can provoke it: real Cinder answered 500 to a NUL byte in a filter,
 * and a heavy listing can outlast the timeout. Those count only while callers of at least `minCallers` (3)
 * distinct identities have such failures in the window; until then they count as nothing. So one token, or one
 * address without a token, cannot open it however many requests it sends; a real outage that three callers see
 * opens it as fast as before; an upstream that refuses connections opens it even with a single caller.
 * Decided: a single client (one backend service's token, or the demo from one address) facing an upstream that
 * accepts connections but answers 5xx or hangs keeps calling it, each call bounded by the timeouts, the deadline
 * and the bulkhead, rather than failing fast: nobody else is there to protect, and it sees the upstream's error.
 *
 * Half-open, one probe at a time: a success closes it; a failure that counts for everyone opens it again; failed
 * probes blamed on callers open it again once `minCallers` distinct callers' probes have failed, and a caller
 * whose probe failed may not probe again for `openMs`, so one caller cannot keep it open by taking every probe.
 *
 * With Keystone a call also names its caller's project: blamed failures then count for the host once `minCallers`
 * of them come from (user, project) pairs with no user and no project in common (enoughApart: one person with a
 * role in three projects is still one), and within the project, on a breaker of its own (the same rules, its
 * users as the callers), which fails fast for that project alone. Three users of one project whose calls fail
 * opened the host's circuit for every project. A probe's turn is the project's: one whose probe failed waits
 * `openMs`, and after that while anyone whose probe has not failed is asking.
 */
export class CircuitBreaker {
  private outcomes: Outcome[] = [];
  private openedAt = 0;
  private probing = false;
  private stateValue: CircuitState = 'closed';
  /** Half-open: callers (with Keystone, projects) whose probe failed, and when. */
  private readonly failedProbes = new Map<string, number>();
  /** Half-open: every (caller, project) whose probe failed, newest last. */
  private failedPairs: [string, string][] = [];
  /** Half-open: when a caller whose probe had not failed last asked while a probe was out. */
  private freshAskedAt = Number.NEGATIVE_INFINITY;
  private readonly minCallers: number;
  /** Project -> the breaker of its calls alone (see above); none until a project's call fails. */
  private projects: Map<string, CircuitBreaker> | null = null;
  /**
   * Not reached since start-up: set by the start-up read of the version document until an answer (versions.ts,
   * which reads it again meanwhile), cleared too by any call answered without a fault. Readiness only (/readyz):
   * it never refuses a call.
   */
  unreached = false;

  constructor(
    private readonly opts: BreakerOptions = DEFAULT_BREAKER,
    private readonly now: () => number = Date.now,
  ) {
    this.minCallers = opts.minCallers ?? 3;
  }

  get state(): CircuitState {
    if (this.stateValue === 'open' && this.now() - this.openedAt >= this.opts.openMs) return 'half-open';
    return this.stateValue;
  }

  /**
   * True when a call (of this caller, when known) may go out now; a half-open breaker lets exactly one probe
   * through at a time, and none of a caller whose probe failed less than `openMs` ago. A call of a project whose
   * own breaker is open is refused whatever the host's state.
   */
  allow(caller?: string, project?: string): boolean {
    const own = this.projectBreaker(project);
    if (own && !own.allow(caller)) return false;
    if (this.allowHere(project ?? caller)) return true;
    own?.abandon();
    return false;
  }

  private allowHere(caller: string | undefined): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open') return false;
    const failed = caller === undefined ? undefined : this.failedProbes.get(caller);
    if (this.probing) {
      if (!failed) this.freshAskedAt = this.now();
      return false;
    }
    // One whose probe failed probes again after openMs only if nobody else asked meanwhile: three sick projects took
    // every probe in turn (each as long as a timeout), and a healthy one asking less often never got one.
    if (failed !== undefined && (this.now() - failed < this.opts.openMs || this.now() - this.freshAskedAt < this.opts.openMs)) {
      return false;
    }
    this.probing = true;
    return true;
  }

  /** Milliseconds until the breaker lets a probe through (for Retry-After style hints). */
  retryInMs(): number {
    return this.stateValue === 'open' ? Math.max(0, this.opts.openMs - (this.now() - this.openedAt)) : 0;
  }

  /** The call never went out (refused locally): neither a success nor a failure; a probe slot is freed. */
  abandon(project?: string): void {
    this.probing = false;
    this.projectBreaker(project)?.abandon();
  }

  /** The state of `project`'s own breaker ('closed' while its calls have not made one). */
  projectState(project: string | undefined): CircuitState {
    return this.projectBreaker(project)?.state ?? 'closed';
  }

  private projectBreaker(project: string | undefined): CircuitBreaker | undefined {
    return project === undefined ? undefined : this.projects?.get(project);
  }

  /** A project's breaker, made at its first blamed failure; past MAX_PROJECT_BREAKERS a closed one makes room. */
  private projectBreakerFor(project: string): CircuitBreaker {
    const projects = (this.projects ??= new Map());
    let own = projects.get(project);
    if (own) return own;
    if (projects.size >= MAX_PROJECT_BREAKERS) {
      let evict = projects.keys().next().value as string;
      for (const [key, b] of projects) {
        if (b.stateValue === 'closed') {
          evict = key;
          break;
        }
      }
      projects.delete(evict);
    }
    own = new CircuitBreaker(this.opts, this.now);
    projects.set(project, own);
    return own;
  }

  /**
   * One call's outcome. `provokedBy`: the identity of the caller whose request may have caused this failure
   * (the upstream received it); leave it out for a failure no request can cause (the upstream was not reached).
   * `project`: the caller's project, when Keystone named one.
   */
  record(ok: boolean, provokedBy?: string, project?: string): void {
    // A success or a 4xx is an answer; a failure may be none (refused, reset): versions.ts tells those apart.
    if (ok) this.unreached = false;
    this.recordHere(ok, provokedBy, project);
    if (project === undefined) return;
    const own = !ok && provokedBy !== undefined ? this.projectBreakerFor(project) : this.projectBreaker(project);
    own?.recordHere(ok, provokedBy, undefined);
  }

  private recordHere(ok: boolean, provokedBy: string | undefined, project: string | undefined): void {
    if (this.probing || this.state === 'half-open') {
      this.probing = false;
      if (ok) this.close();
      else if (provokedBy === undefined) this.trip();
      else {
        this.failedProbes.set(project ?? provokedBy, this.now());
        this.failedPairs.push([provokedBy, project ?? provokedBy]);
        if (this.failedPairs.length > MAX_FAILED_PAIRS) this.failedPairs.shift();
        if (enoughApart(this.failedPairs, this.minCallers)) this.trip();
      }
      return;
    }
    this.outcomes.push(ok ? { ok } : { ok, by: provokedBy, group: project ?? provokedBy });
    if (this.outcomes.length > this.opts.window) this.outcomes.shift();
    if (this.outcomes.length >= this.opts.minCalls && this.countedFailures() / this.outcomes.length >= this.opts.failureRate) {
      this.trip();
    }
  }

  /**
   * Failures in the window that count: everyone's, plus the blamed ones once enough distinct callers (and, with
   * Keystone, projects) failed.
   */
  private countedFailures(): number {
    let failures = 0;
    let everyone = 0;
    const pairs: [string, string][] = [];
    for (const o of this.outcomes) {
      if (o.ok) continue;
      failures++;
      if (o.by === undefined) everyone++;
      else pairs.push([o.by, o.group!]);
    }
    return enoughApart(pairs, this.minCallers) ? failures : everyone;
  }

  private close(): void {
    this.stateValue = 'closed';
    this.forget();
  }

  private trip(): void {
    this.stateValue = 'open';
    this.openedAt = this.now();
    this.forget();
  }

  /** A new state: the window's outcomes and the probes of the last half-open spell no longer count. */
  private forget(): void {
    this.outcomes = [];
    this.failedProbes.clear();
    this.failedPairs = [];
    this.freshAskedAt = Number.NEGATIVE_INFINITY;
  }
}

/**
 * Retries may add at most `ratio` of the traffic (plus a small floor so a quiet service can still retry):
 * a sick upstream is not hammered with a retry storm.
 */
export class RetryBudget {
  private tokens: number;

  constructor(
    private readonly ratio = 0.1,
    private readonly max = 10,
  ) {
    this.tokens = max;
  }

  /** Every first attempt earns a fraction of a retry. */
  earn(): void {
    // Rounded so that ten earnings of 0.1 make exactly one retry, not 0.9999999999999999.
    this.tokens = Math.min(this.max, Math.round((this.tokens + this.ratio) * 1e6) / 1e6);
  }

  spend(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Backoff before a retry: Retry-After when the upstream gave one (capped), else 50-150 ms of jitter. */
export function retryDelayMs(retryAfter: string | undefined, capMs: number, random = Math.random): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, capMs);
  }
  return Math.min(50 + Math.floor(random() * 100), capMs);
}

// The bulkheads live in bulkhead.ts; re-exported for the modules that take every protection from here.
export { Bulkhead, BulkheadRejection, DEFAULT_MAX_CONNECTIONS, hostBulkhead } from './bulkhead.js';

/**
 * Whether `n` of the (caller, project) pairs have no caller and no project in common (a matching in the bipartite
 * graph of callers and projects, found by augmenting paths; a window holds 20 pairs at most). Counting callers and
 * projects apart let one person with a role in two projects and two colleagues of a third open the host's circuit.
 * Without Keystone a caller's project is itself, and this is `n` distinct callers.
 */
function enoughApart(pairs: [string, string][], n: number): boolean {
  const projectsOf = new Map<string, Set<string>>();
  for (const [caller, project] of pairs) {
    const set = projectsOf.get(caller) ?? new Set<string>();
    set.add(project);
    projectsOf.set(caller, set);
  }
  if (projectsOf.size < n) return false;
  const matchedTo = new Map<string, string>(); // project -> caller
  const augment = (caller: string, seen: Set<string>): boolean => {
    for (const project of projectsOf.get(caller)!) {
      if (seen.has(project)) continue;
      seen.add(project);
      const other = matchedTo.get(project);
      if (other === undefined || augment(other, seen)) {
        matchedTo.set(project, caller);
        return true;
      }
    }
    return false;
  };
  let matched = 0;
  for (const caller of projectsOf.keys()) if (augment(caller, new Set()) && ++matched >= n) return true;
  return false;
}
