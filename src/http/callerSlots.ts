/**
 * Requests in progress per caller (a hash of the token, or the client address without one: `callerIdentity`), so
 * that one caller cannot hold every slot of the door and every waiting place of the upstreams' queues: without
 * it, one token sending 450 requests at once left other callers a quarter of their screens, and churning
 * subscriptions on new ids left them none (each subscription's start is an upstream read).
 */
export class CallerSlots {
  private readonly held = new Map<string, number>();
  /**
   * Callers by how many slots each holds (index: slots held; the last, max + 1, for more than max: `countAs` moves
   * a request without a check), so the heaviest is found without a walk of them all.
   */
  private readonly holding: number[];
  /** Who waits for a slot of a caller (subscription starts), first come first served. */
  private readonly waiting = new Map<string, WaitQueue>();

  /** `max`: MAX_IN_FLIGHT_PER_CALLER; 0: no such limit. */
  constructor(readonly max: number) {
    this.holding = new Array<number>(max + 2).fill(0);
  }

  /** Slots `key` holds now. */
  heldBy(key: string): number {
    return this.held.get(key) ?? 0;
  }

  /** The most slots any one caller holds now, max + 1 for more than max (0 without a MAX_IN_FLIGHT_PER_CALLER). */
  heaviest(): number {
    for (let n = this.max + 1; n > 0; n--) if (this.holding[n]! > 0) return n;
    return 0;
  }

  private count(key: string, by: number): void {
    const before = this.held.get(key) ?? 0;
    const after = before + by;
    if (before > 0) this.holding[Math.min(before, this.max + 1)]!--;
    if (after > 0) this.holding[Math.min(after, this.max + 1)]!++;
    if (after > 0) this.held.set(key, after);
    else this.held.delete(key);
  }

  /** Whether `key` already holds all it may. */
  full(key: string): boolean {
    return this.max > 0 && (this.held.get(key) ?? 0) >= this.max;
  }

  /** Takes a slot for `key` (the caller checked `full` first); its release, idempotent. */
  take(key: string): () => void {
    if (this.max === 0) return NOTHING;
    this.count(key, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.count(key, -1);
      this.passOn(key);
    };
  }

  /** How many wait for a slot of `key`. */
  waiters(key: string): number {
    return this.waiting.get(key)?.size ?? 0;
  }

  /**
   * Resolves true once `key` has released a slot (the first waiter is woken first), false after `ms`, or at once
   * when the client it waits for has left (`left` aborts): its place passes to the one behind it.
   */
  released(key: string, ms: number, left?: AbortSignal): Promise<boolean> {
    if (left?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const queue = this.waiting.get(key) ?? new WaitQueue();
      this.waiting.set(key, queue);
      const done = (freed: boolean) => {
        clearTimeout(timer);
        left?.removeEventListener('abort', gone);
        if (!queue.remove(place)) return;
        if (queue.size === 0 && this.waiting.get(key) === queue) this.waiting.delete(key);
        resolve(freed);
      };
      const wake = () => done(true);
      const gone = () => done(false);
      const timer = setTimeout(gone, ms);
      timer.unref();
      left?.addEventListener('abort', gone, { once: true });
      const place = queue.add(wake);
    });
  }

  /** Wakes `key`'s first waiter: one woken for a slot it did not take (refused for another reason) passes it on. */
  passOn(key: string): void {
    this.waiting.get(key)?.first?.wake();
  }

  /** Wakes every waiter (shutdown: each is then refused at once, instead of waiting for a slot to come back). */
  wakeAll(): void {
    for (const queue of [...this.waiting.values()]) for (const wake of queue.all()) wake();
  }

  /** Callers holding at least one slot or waiting for one (no entry outlives them). */
  get callers(): number {
    return new Set([...this.held.keys(), ...this.waiting.keys()]).size;
  }
}

const NOTHING = () => {};

interface Place {
  wake: () => void;
  before: Place | null;
  after: Place | null;
  gone: boolean;
}

/**
 * Waiters in arrival order, any of whom leaves in O(1), wherever it stands: with an array (indexOf, splice) 80,000
 * starts timing out last-come-first took 4 s of the event loop; a Set's first entry is found by skipping every
 * entry deleted before it, which is as slow when they leave from the front.
 */
class WaitQueue {
  first: Place | null = null;
  private last: Place | null = null;
  size = 0;

  add(wake: () => void): Place {
    const place: Place = { wake, before: this.last, after: null, gone: false };
    if (this.last) this.last.after = place;
    else this.first = place;
    this.last = place;
    this.size++;
    return place;
  }

  /** False if it had left already. */
  remove(place: Place): boolean {
    if (place.gone) return false;
    place.gone = true;
    if (place.before) place.before.after = place.after;
    else this.first = place.after;
    if (place.after) place.after.before = place.before;
    else this.last = place.before;
    this.size--;
    return true;
  }

  all(): (() => void)[] {
    const wakes: (() => void)[] = [];
    for (let place = this.first; place; place = place.after) wakes.push(place.wake);
    return wakes;
  }
}
