import { QueueDelay } from './queueDelay.js';

/** Calls in flight at once to one upstream host unless UPSTREAM_MAX_CONNECTIONS says otherwise (the agent's connections). */
export const DEFAULT_MAX_CONNECTIONS = 64;

/**
 * A waiting caller's turn: this share of the connections' worth of its calls in a row (at least one), before the
 * next waiting caller's. Eight at 64 connections, so a screen's wave of reads still goes out together; one at 4,
 * where a turn of eight slow calls held another caller back for two of their durations.
 */
export const TURN_SHARE = 1 / 8;

/** An upstream host's bulkhead: as many calls in flight as the agent has connections to it, four times that waiting. */
export function hostBulkhead(connections = DEFAULT_MAX_CONNECTIONS): Bulkhead {
  return new Bulkhead(connections, connections * 4, new QueueDelay());
}

/** Thrown by a full bulkhead (no room to queue) or when the wait for a slot outlasted the deadline. */
export class BulkheadRejection extends Error {
  constructor(readonly reason: 'full' | 'timeout') {
    super(reason);
  }
}

/** A call waiting for a bulkhead slot: who sent it, since when (on its QueueDelay's clock), its deadline's timer. */
interface Waiter {
  who: string;
  wake: () => void;
  refuse: (err: BulkheadRejection) => void;
  timer?: NodeJS.Timeout;
  since: number;
}

/**
 * Waiting calls by who sent them, served in turns (TURN_SHARE): one caller with hundreds of
 * calls queued made every other caller's calls wait behind all of them (up to 6 s in the noisy-neighbour probe).
 * With a single caller it is first come, first served.
 */
class TurnQueue {
  /** Insertion order is the order of turns: the first entry's turn is now. */
  private readonly byWho = new Map<string, Waiter[]>();
  /** Calls the caller whose turn it is has had in this turn. */
  private servedInTurn = 0;
  size = 0;

  constructor(private readonly turnCalls: number) {}

  push(w: Waiter): void {
    const queue = this.byWho.get(w.who);
    if (queue) queue.push(w);
    else this.byWho.set(w.who, [w]);
    this.size++;
  }

  shift(): Waiter | undefined {
    const turn = this.byWho.entries().next();
    if (turn.done) return undefined;
    const [who, queue] = turn.value;
    const w = queue.shift()!;
    this.size--;
    if (queue.length === 0) this.endTurn(who, null);
    else if (++this.servedInTurn >= this.turnCalls) this.endTurn(who, queue);
    return w;
  }

  /** When the longest-waiting call began to wait (each caller's first is its oldest), or null with none waiting. */
  oldestSince(): number | null {
    let oldest: number | null = null;
    for (const queue of this.byWho.values()) if (oldest === null || queue[0]!.since < oldest) oldest = queue[0]!.since;
    return oldest;
  }

  /** A waiter that gave up (its deadline): false if it was not waiting any more. */
  remove(w: Waiter): boolean {
    const queue = this.byWho.get(w.who);
    const i = queue ? queue.indexOf(w) : -1;
    if (i === -1) return false;
    queue!.splice(i, 1);
    this.size--;
    if (queue!.length === 0) {
      if (this.byWho.keys().next().value === w.who) this.servedInTurn = 0;
      this.byWho.delete(w.who);
    }
    return true;
  }

  /**
   * Full, and `who` would wait: the newest call of whoever waits most gives up its place, if they would still wait
   * more than `who` then does; else nothing (`who` is refused).
   */
  evictFor(who: string): Waiter | undefined {
    let most: Waiter[] | undefined;
    for (const queue of this.byWho.values()) if (!most || queue.length > most.length) most = queue;
    const mine = (this.byWho.get(who)?.length ?? 0) + 1;
    if (!most || most.length <= mine) return undefined;
    this.size--;
    return most.pop();
  }

  private endTurn(who: string, queue: Waiter[] | null): void {
    this.byWho.delete(who);
    if (queue) this.byWho.set(who, queue); // to the back of the turns
    this.servedInTurn = 0;
  }
}

/**
 * Bounded concurrency towards one upstream: at most `maxActive` calls in flight (the agent's connections to
 * it), at most `maxQueued` waiting, each for no longer than its deadline. Past that a call is refused at once
 * rather than queued silently inside the HTTP client. Waiting calls are served in turns by who sent them
 * (TurnQueue), and a full queue makes room for a caller that waits less than another by refusing that one's newest.
 */
export class Bulkhead {
  private active = 0;
  private readonly waiting: TurnQueue;

  constructor(
    readonly maxActive: number,
    readonly maxQueued: number,
    /** How long calls wait and hold their slots (an upstream's bulkhead: the door reads it; a request's lane: none). */
    private readonly delay?: QueueDelay,
  ) {
    this.waiting = new TurnQueue(Math.max(1, Math.floor(maxActive * TURN_SHARE)));
  }

  /** Calls have been waiting longer than calls take for a whole window (queueDelay.ts), and some wait now. */
  get standing(): boolean {
    return this.delay?.standing(this.waiting.size) ?? false;
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.size;
  }

  /** A free slot now (the function that gives it back), or null: then `enter` queues. No await when free. */
  tryEnter(): (() => void) | null {
    if (this.active >= this.maxActive) return null;
    this.active++;
    this.delay?.entered(0);
    return this.releaser();
  }

  /**
   * Resolves with the function that gives the slot back. `who`: the caller (with Keystone its project) whose turn
   * the call waits for; calls of one `who` are served in order.
   */
  async enter(deadline?: number, who = ''): Promise<() => void> {
    const free = this.tryEnter();
    if (free) return free;
    if (this.waiting.size >= this.maxQueued) {
      const evicted = this.waiting.evictFor(who);
      if (!evicted) throw new BulkheadRejection('full');
      clearTimeout(evicted.timer);
      evicted.refuse(new BulkheadRejection('full'));
    }
    await new Promise<void>((resolve, reject) => {
      const entry: Waiter = { who, wake: resolve, refuse: reject, since: this.delay ? this.delay.now() : 0 };
      if (deadline !== undefined) {
        entry.timer = setTimeout(() => {
          if (this.waiting.remove(entry)) reject(new BulkheadRejection('timeout'));
        }, Math.max(0, deadline - Date.now()));
      }
      this.waiting.push(entry);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    const taken = this.delay ? this.delay.now() : 0;
    return () => {
      if (released) return;
      released = true;
      const now = this.delay ? this.delay.now() : 0;
      this.delay?.left(now - taken);
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        // With turns the call served may be young while another has waited long: the queue's delay is its oldest's.
        if (this.delay) this.delay.entered(now - Math.min(next.since, this.waiting.oldestSince() ?? next.since));
        next.wake(); // the slot passes straight to the next caller
      } else {
        this.active--;
      }
    };
  }
}
