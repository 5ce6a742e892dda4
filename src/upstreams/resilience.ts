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
}

export const DEFAULT_BREAKER: BreakerOptions = { window: 20, minCalls: 10, failureRate: 0.5, openMs: 5_000 };

/**
 * One per upstream. Opens on a sustained failure rate (5xx, timeouts, refused connections — never a 4xx, which
 * is the caller's problem), then fails fast until `openMs` has passed; then one probe decides.
 */
export class CircuitBreaker {
  private outcomes: boolean[] = [];
  private openedAt = 0;
  private probing = false;
  private stateValue: CircuitState = 'closed';

  constructor(
    private readonly opts: BreakerOptions = DEFAULT_BREAKER,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    if (this.stateValue === 'open' && this.now() - this.openedAt >= this.opts.openMs) return 'half-open';
    return this.stateValue;
  }

  /** True when a call may go out now; a half-open breaker lets exactly one probe through at a time. */
  allow(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** Milliseconds until the breaker lets a probe through (for Retry-After style hints). */
  retryInMs(): number {
    return this.stateValue === 'open' ? Math.max(0, this.opts.openMs - (this.now() - this.openedAt)) : 0;
  }

  /** The call never went out (refused locally): neither a success nor a failure; a probe slot is freed. */
  abandon(): void {
    this.probing = false;
  }

  record(ok: boolean): void {
    if (this.probing || this.state === 'half-open') {
      this.probing = false;
      if (ok) {
        this.stateValue = 'closed';
        this.outcomes = [];
      } else {
        this.trip();
      }
      return;
    }
    this.outcomes.push(ok);
    if (this.outcomes.length > this.opts.window) this.outcomes.shift();
    const failures = this.outcomes.filter((o) => !o).length;
    if (this.outcomes.length >= this.opts.minCalls && failures / this.outcomes.length >= this.opts.failureRate) {
      this.trip();
    }
  }

  private trip(): void {
    this.stateValue = 'open';
    this.openedAt = this.now();
    this.outcomes = [];
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

/** Thrown by a full bulkhead (no room to queue) or when the wait for a slot outlasted the deadline. */
export class BulkheadRejection extends Error {
  constructor(readonly reason: 'full' | 'timeout') {
    super(reason);
  }
}

/**
 * Bounded concurrency towards one upstream: at most `maxActive` calls in flight (the agent's connections to
 * it), at most `maxQueued` waiting, each for no longer than its deadline. Past that a call is refused at once
 * rather than queued silently inside the HTTP client.
 */
export class Bulkhead {
  private active = 0;
  private readonly waiting: { wake: () => void; timer?: NodeJS.Timeout }[] = [];

  constructor(
    readonly maxActive: number,
    readonly maxQueued: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** A free slot now (the function that gives it back), or null: then `enter` queues. No await when free. */
  tryEnter(): (() => void) | null {
    if (this.active >= this.maxActive) return null;
    this.active++;
    return this.releaser();
  }

  /** Resolves with the function that gives the slot back. */
  async enter(deadline?: number): Promise<() => void> {
    const free = this.tryEnter();
    if (free) return free;
    if (this.waiting.length >= this.maxQueued) throw new BulkheadRejection('full');
    await new Promise<void>((resolve, reject) => {
      const entry: { wake: () => void; timer?: NodeJS.Timeout } = { wake: resolve };
      if (deadline !== undefined) {
        entry.timer = setTimeout(() => {
          const i = this.waiting.indexOf(entry);
          if (i !== -1) this.waiting.splice(i, 1);
          reject(new BulkheadRejection('timeout'));
        }, Math.max(0, deadline - Date.now()));
      }
      this.waiting.push(entry);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.wake(); // the slot passes straight to the next caller
      } else {
        this.active--;
      }
    };
  }
}
