import type { Upstreams } from '../context.js';
import { CallerSlots } from './callerSlots.js';
import { AcceptedTokens } from '../identity/acceptedTokens.js';
import { TokenRefusals } from '../identity/tokenRefusals.js';

/** What the door can see of an upstream's bulkhead (class Bulkhead in src/upstreams/resilience.ts). */
export interface BulkheadGauge {
  readonly inFlight: number;
  readonly queued: number;
  readonly maxActive: number;
  readonly maxQueued: number;
  /** Calls have waited longer than calls take for a whole window, and some wait now (queueDelay.ts). */
  readonly standing: boolean;
}

/** New requests are refused while an upstream's bulkhead has more than this share of its waiting places taken. */
export const SHED_QUEUE_SHARE = 0.75;
/** A request that ends while a bulkhead queue is this full says the limit on requests in progress is too high. */
export const NEAR_FULL_SHARE = 0.875;
/** How long no queue may stand or be near full before the learnt limit is dropped (resetAfterCalm). */
const CALM_MS = 10_000;
/** What a near-full queue leaves of the requests in progress, as the new limit (at most once per generation). */
const DECREASE = 0.5;
/**
 * The limit never goes below this, nor below one caller's share (MAX_IN_FLIGHT_PER_CALLER) and one more: a
 * handful of requests always get through, and a caller at its own limit never shuts the others out.
 */
const MIN_LIMIT = 4;

export type Refusal =
  | { kind: 'overloaded'; message: string }
  | { kind: 'shutting-down'; message: string }
  /** This caller holds MAX_IN_FLIGHT_PER_CALLER requests already: 429, whatever the others do. */
  | { kind: 'caller'; message: string }
  /** The client's address has had MAX_REFUSED_TOKENS_PER_CLIENT tokens refused this minute: 429 for its new ones. */
  | { kind: 'refused-tokens'; message: string; retryAfter: number };

/** An admitted request: call it once its answer is out. */
export interface Admitted {
  (): void;
  /** From now on the request counts against `caller` instead (its token, once Keystone accepted it). */
  countAs(caller: string): void;
  /** From now on the request weighs in its project's load (`project:<id>`, once Keystone named it): see `spared`. */
  inGroup(group: string): void;
}

/** The bulkheads of the configured upstreams, by service. */
export function bulkheadsOf(upstreams: Upstreams): { service: string; bulkhead: BulkheadGauge }[] {
  return (['cinder', 'manila', 'sdrs'] as const).flatMap((service) => {
    const client = upstreams[service];
    return client ? [{ service, bulkhead: client.http.bulkhead }] : [];
  });
}

/**
 * Admission of GraphQL requests, decided before anything runs (and again once the body is in: a request counts
 * only from then). A caller (its callerIdentity) with MAX_IN_FLIGHT_PER_CALLER requests in progress is refused
 * with 429 TOO_MANY_REQUESTS (callerSlots.ts). Otherwise a request is refused with 503 OVERLOADED and
 * Retry-After: 1, at once and at no upstream call, when any of these holds:
 *
 *   1. MAX_IN_FLIGHT requests are in progress;
 *   2. an upstream is saturated: all its connections are busy and more than three quarters (SHED_QUEUE_SHARE) of
 *      its bulkhead's waiting places are taken (192 of 256 by default);
 *   3. `limit` requests are in progress, an adaptive limit (AIMD, as TCP and concurrency-limit gateways do): it
 *      starts at MAX_IN_FLIGHT; when a request ends while a bulkhead queue is seven eighths full (NEAR_FULL_SHARE)
 *      or standing (every call of the last window waited longer than calls take: queueDelay.ts), the limit
 *      becomes half the requests then in progress, at most once per generation (only a request admitted under the
 *      current limit lowers it again); each request that ends while no queue stands or is over three quarters
 *      full adds 1/limit to it (one per generation), as long as the limit is what holds requests back.
 *
 * Rules 2 and 3 spare a caller with nothing in progress while one caller, or with Keystone one project, holds more
 * than half of the requests in progress (`spared`): that load is shed, not everyone's.
 *
 * Why: past rule 2 a new request's calls only wait behind others, and once a queue is full they are refused
 * half-way (FACADE_BULKHEAD_FULL): a partial answer out of work already paid for, which clients that retry at
 * once send again, so complete screens per second collapse (issue 18: ~450/s at saturation, 44/s at 8x). The
 * requests admitted keep every connection busy, so refusing the others costs the upstreams nothing. Up to rule 2
 * the queue does what it is for, absorbing bursts: 200 single reads sent at once are all answered, within a few
 * round trips. Rule 2 sees a request's first calls at once (they are queued before the next request is looked at)
 * but not the calls it makes once its first answers are back (a screen reads its groups, then their volumes and
 * snapshots); the last quarter of the queue is room for those. Requests whose later round trips are wide (a dozen
 * reads each) would still fill the queue in waves: rule 3 learns how many of them fit. A standing queue, however
 * short, only adds waiting: past the load that keeps the connections busy, more requests in progress each wait
 * longer and hold their memory longer, and the facade's CPU per screen rose with them (garbage collection: 17 % of
 * its CPU at 8x in the bench's overload scenario), so it served fewer screens at 8x than at 2x; rule 3 keeps
 * just enough in progress to keep the connections busy. Every upstream counts, even for a query
 * that would not call the saturated one: which upstreams a query calls is known only once it runs. Clients that
 * retry at once, ignoring Retry-After, are paced (pacing.ts).
 *
 * A request counts from admission until its answer is flushed or its client went away (`release`), so a drain
 * never cuts an answer still being written.
 */
export class Admission {
  private inProgress = 0;
  private closing = false;
  private limitValue: number;
  private generation = 0;
  /** When a request last ended with a queue standing or near full (resetAfterCalm). */
  private lastPressure = 0;
  private readonly idle: (() => void)[] = [];
  private readonly perCaller: CallerSlots;
  /** Requests in progress per project (with Keystone), else per caller: counted, never limited (`spared`). */
  private readonly perGroup: CallerSlots;
  private readonly minLimit: number;
  /** Tokens an upstream has accepted (no Keystone): only those count as callers of their own (doorCaller). */
  readonly acceptedTokens = new AcceptedTokens();
  /** Tokens refused per client address (tokenRefusals.ts): an address past its share sends no new token upstream. */
  readonly tokenRefusals: TokenRefusals;

  constructor(
    private readonly maxInFlight: number,
    private readonly bulkheads: { service: string; bulkhead: BulkheadGauge }[],
    /** MAX_IN_FLIGHT_PER_CALLER (0: none): requests one caller may have in progress, subscription starts included. */
    maxPerCaller = 0,
    /** MAX_REFUSED_TOKENS_PER_CLIENT (0: none): tokens not known yet one client address may have refused per minute. */
    maxRefusedTokensPerMinute = 0,
  ) {
    this.limitValue = maxInFlight;
    this.minLimit = Math.min(maxInFlight, Math.max(MIN_LIMIT, maxPerCaller + 1));
    this.perCaller = new CallerSlots(maxPerCaller);
    this.perGroup = new CallerSlots(maxInFlight);
    this.tokenRefusals = new TokenRefusals(maxRefusedTokensPerMinute);
  }

  /** GraphQL requests admitted and not yet answered. */
  get inFlight(): number {
    return this.inProgress;
  }

  /** The adaptive limit on requests in progress (rule 3). */
  get limit(): number {
    return this.limitValue;
  }

  get draining(): boolean {
    return this.closing;
  }

  /**
   * Why a request would be refused now, or null: for refusing before reading a body. Admits nothing. `caller`:
   * its callerIdentity; a caller at its own limit is told so (429) before the facade's load is looked at.
   * `unverified`: `caller` is the client address of a token not known yet (doorCaller), which is refused while
   * that address has had its share of tokens refused.
   */
  check(caller?: string, unverified = false, group?: string): Refusal | null {
    return this.verdict(caller, unverified, group).refusal;
  }

  /** `check`'s answer, and whether it lets the request in only because `spared` does. */
  private verdict(caller: string | undefined, unverified: boolean, group: string | undefined): { refusal: Refusal | null; spared: boolean } {
    const refusal = this.doorRefusal(caller, unverified);
    if (refusal) return { refusal, spared: false };
    const load = this.loadRefusal();
    if (!load) return { refusal: null, spared: false };
    return this.spared(caller, group) ? { refusal: null, spared: true } : { refusal: load, spared: false };
  }

  /** Shutdown, the client's refused tokens, the caller's own limit, and rule 1. */
  private doorRefusal(caller: string | undefined, unverified: boolean): Refusal | null {
    if (this.closing) return SHUTTING_DOWN;
    if (unverified && caller !== undefined) {
      const waitMs = this.tokenRefusals.waitMs(caller);
      if (waitMs > 0) {
        const perMinute = this.tokenRefusals.perMinute;
        const message = `${perMinute} tokens from your address were refused within a minute (MAX_REFUSED_TOKENS_PER_CLIENT); until Retry-After, its tokens not known yet are refused unchecked. Get a valid token.`;
        return { kind: 'refused-tokens', message, retryAfter: Math.ceil(waitMs / 1000) };
      }
    }
    if (caller !== undefined && this.perCaller.full(caller)) {
      return { kind: 'caller', message: `You already have ${this.perCaller.max} requests in progress (MAX_IN_FLIGHT_PER_CALLER); wait for their answers.` };
    }
    if (this.inProgress >= this.maxInFlight) {
      return { kind: 'overloaded', message: `Too many requests in progress (MAX_IN_FLIGHT ${this.maxInFlight}); retry shortly.` };
    }
    return null;
  }

  /** Rules 2 and 3. */
  private loadRefusal(): Refusal | null {
    for (const { service, bulkhead } of this.bulkheads) {
      if (bulkhead.queued > bulkhead.maxQueued * SHED_QUEUE_SHARE) {
        return { kind: 'overloaded', message: `The ${service} service is saturated; retry shortly.` };
      }
    }
    if (this.inProgress >= Math.floor(this.limitValue) && !this.resetAfterCalm()) {
      return { kind: 'overloaded', message: 'The upstream services are saturated; retry shortly.' };
    }
    return null;
  }

  /**
   * Past rules 2 and 3, a caller with nothing in progress (nor its project, with Keystone) still gets in while one
   * caller or one project holds more than half of the requests in progress (and two or more): the load is theirs.
   * Shedding everyone shut the others out: 32 of 33 requests of another tenant refused while one token's 16 slow
   * screens filled Cinder's queue, and 54 of 55 when the load came from four tokens of one project (probes). A
   * request let in so weighs in no project (`admit`): a new token of the heavy project, whose project the door
   * learns only later, cannot keep that project above half. So at most as many requests as that caller or project
   * holds get in this way; MAX_IN_FLIGHT still holds.
   */
  private spared(caller: string | undefined, group: string | undefined): boolean {
    if (caller === undefined || this.perCaller.heldBy(caller) > 0 || this.perGroup.heldBy(group ?? caller) > 0) return false;
    const heaviest = Math.max(this.perCaller.heaviest(), this.perGroup.heaviest());
    return heaviest >= 2 && heaviest * 2 > this.inProgress;
  }

  /**
   * At the limit after a calm spell (no queue standing or near full for CALM_MS): what the limit learnt is stale,
   * and it starts again from MAX_IN_FLIGHT (the next pressure halves it within one generation). It grew back only
   * by 1/limit a request under load, so one caller's episode of a slow upstream left it at its floor for minutes:
   * 23 of 40 requests of other tenants refused after a minute idle (noisy-neighbour probe).
   */
  private resetAfterCalm(): boolean {
    if (Date.now() - this.lastPressure < CALM_MS || this.limitValue >= this.maxInFlight) return false;
    this.limitValue = this.maxInFlight;
    return this.inProgress < this.maxInFlight;
  }

  /** An admitted request's release (call it once, when its answer is out), or why it was refused. */
  admit(caller?: string, unverified = false, group?: string): Admitted | Refusal {
    const { refusal, spared } = this.verdict(caller, unverified, group);
    if (refusal) return refusal;
    this.inProgress++;
    const admittedIn = this.generation;
    let callerSlot = caller === undefined ? undefined : this.perCaller.take(caller);
    // Without a project its caller's load is its group's, and moves with it (countAs). Spared: none (see `spared`).
    let groupFollows = group === undefined && !spared;
    const groupKey = spared ? undefined : (group ?? caller);
    let groupSlot = groupKey === undefined ? undefined : this.perGroup.take(groupKey);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      callerSlot?.();
      groupSlot?.();
      this.adapt(admittedIn);
      this.inProgress--;
      if (this.inProgress === 0) this.idle.splice(0).forEach((wake) => wake());
    };
    // Moved, not checked again: the request is admitted already, and its new caller may briefly hold one more.
    const countAs = (next: string) => {
      if (released) return;
      callerSlot?.();
      callerSlot = this.perCaller.take(next);
      if (groupFollows) inGroup(next, true);
    };
    const inGroup = (next: string, follows = false) => {
      if (released || spared) return;
      groupFollows = follows;
      groupSlot?.();
      groupSlot = this.perGroup.take(next);
    };
    return Object.assign(release, { countAs, inGroup: (next: string) => inGroup(next) });
  }

  /**
   * `admit` for a subscription's start: while only its caller's own limit stands in the way, it waits (up to `ms`)
   * for one of the caller's slots instead of being refused, so a page that opens a subscription per row is served
   * in turn. The facade's own refusals are answered at once, as for a request. A start whose client has gone
   * (`clientLeft` aborts) leaves the queue at once and is answered with the caller's refusal, as is one that
   * finds `maxWaiting` (0: no such limit) of its caller's starts waiting already.
   */
  async admitInTurn(caller: string, ms: number, unverified = false, clientLeft?: AbortSignal, maxWaiting = 0, group?: string): Promise<Admitted | Refusal> {
    const until = Date.now() + ms;
    for (let woken = false; ; woken = true) {
      const admitted = this.admit(caller, unverified, group);
      if (typeof admitted === 'function' || admitted.kind !== 'caller') {
        // Woken for a slot, then refused for another reason: the slot is still free for the next waiter.
        if (woken && typeof admitted !== 'function') this.perCaller.passOn(caller);
        return admitted;
      }
      // Once in the queue, a start woken for a slot another took goes back to it, whatever its length.
      if (!woken && maxWaiting > 0 && this.perCaller.waiters(caller) >= maxWaiting) {
        return { kind: 'caller', message: `You already have ${this.perCaller.max} requests in progress (MAX_IN_FLIGHT_PER_CALLER) and ${maxWaiting} subscriptions waiting for one; wait for their answers.` };
      }
      const left = until - Date.now();
      if (left <= 0 || !(await this.perCaller.released(caller, left, clientLeft))) return admitted;
    }
  }

  /** Rule 3: one request ended; `admittedIn` is the generation it was admitted in. */
  private adapt(admittedIn: number): void {
    let over = false;
    for (const { bulkhead } of this.bulkheads) {
      if (bulkhead.standing || bulkhead.queued >= bulkhead.maxQueued * NEAR_FULL_SHARE) {
        this.lastPressure = Date.now();
        if (admittedIn === this.generation) {
          this.limitValue = Math.max(this.minLimit, Math.min(this.limitValue, this.inProgress) * DECREASE);
          this.generation++;
        }
        return;
      }
      if (bulkhead.queued > bulkhead.maxQueued * SHED_QUEUE_SHARE) over = true;
    }
    // Grow only while the limit is what holds requests back; an idle facade keeps what it learnt.
    if (!over && this.inProgress >= Math.floor(this.limitValue)) {
      this.limitValue = Math.min(this.maxInFlight, this.limitValue + 1 / this.limitValue);
    }
  }

  /** From now on every request is refused as shutting down. */
  close(): void {
    this.closing = true;
    // Subscription starts waiting for their caller's slot are refused now, not when a slot or their time comes.
    this.perCaller.wakeAll();
  }

  /** The drain's grace period is over: requests still running are cut by the facade, not left by their clients. */
  cutting = false;

  /** Resolves when no request is in progress (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.inProgress === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}

const SHUTTING_DOWN: Refusal = { kind: 'shutting-down', message: 'The server is shutting down; retry on another instance.' };
