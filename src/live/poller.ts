import { FacadeError } from '../errors.js';
import { NUDGE_MS, type Nudgeable, watching } from './afterWrite.js';
import { readAgain } from './resultErrors.js';
import { type WatchedKind, isBusy, isFinal } from './objects.js';
import { type PollSchedule, nextDelay } from './schedule.js';
import { PushStream } from './stream.js';

/** What a poller hands its subscribers: the object as read (null: deleted), or why the read failed. */
export type LiveEvent = { object: object | null } | { error: unknown };

/** Reads the object with one subscriber's credentials (a fresh context per read). */
export type ObjectReader = (kind: WatchedKind, id: string) => Promise<object | null>;

/** A subscriber's reader, and which token it reads with (a hash: subscribers of one caller may hold several). */
export interface Reader {
  read: ObjectReader;
  credential: string;
}

/**
 * One upstream poll for one caller and one object, whatever the number of subscribers. It reads with the
 * credentials of its oldest subscriber, hands every read that differs from the previous one to all of them (and
 * every read to one whose last result had errors: see resultErrors.ts; a newcomer's first read to it, changed or
 * not), and stops as soon as the last one leaves.
 */
class Poller implements Nudgeable {
  private readonly subscribers = new Map<PushStream<LiveEvent>, Reader>();
  private last: LiveEvent | null = null;
  private lastKey: string | null = null;
  /** When the answer of `last` came: older than the fast interval, a newcomer waits for a read of its own. */
  private lastAt = -Infinity;
  /** Subscribers that joined after `last` went stale: the next read is their first event, changed or not. */
  private readonly newcomers = new Set<PushStream<LiveEvent>>();
  private delayMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private reading = false;
  private stopped = false;
  /** When the pending timer fires, and whether it is an early read asked for by a write (nudge). */
  private dueAt = 0;
  private dueEarly = false;
  /** When the last early read started: the next waits at least the fast interval. */
  private earlyAt = -Infinity;
  /** An early read asked for while a read was under way: when, at the soonest. */
  private wanted: number | null = null;
  private readonly unwatch: () => void;

  constructor(
    private readonly kind: WatchedKind,
    private readonly id: string,
    private readonly schedule: PollSchedule,
    private readonly counters: { polls: number },
    private readonly onStop: () => void,
  ) {
    this.unwatch = watching(kind, id, this);
  }

  get size(): number {
    return this.subscribers.size;
  }

  join(reader: Reader): PushStream<LiveEvent> {
    const source = new PushStream<LiveEvent>(() => this.leave(source));
    this.subscribers.set(source, reader);
    // A newcomer gets what the others saw last at once if it is recent; the first one starts the polling.
    if (this.last && Date.now() - this.lastAt <= this.schedule.fastMs) source.push(this.last);
    else if (this.last) this.awaitRead(source);
    else if (!this.reading && !this.timer) void this.poll();
    return source;
  }

  /**
   * A newcomer to a poller backed off (up to SUBSCRIPTION_POLL_MAX_MS) takes the next read as its first event: the
   * last could show an object changed or deleted elsewhere since. A read under way serves it; else one comes at once,
   * shared by the joins meanwhile and paced as a write's (at most one early read per fast interval).
   */
  private awaitRead(source: PushStream<LiveEvent>): void {
    this.newcomers.add(source);
    if (!this.reading) this.readEarly(0);
  }

  /** Ends every subscriber (shutdown): each ends after what it was already sent (the hub cuts it: no `complete`). */
  stop(): void {
    this.stopped = true;
    this.unwatch();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const source of [...this.subscribers.keys()]) source.end();
  }

  private leave(source: PushStream<LiveEvent>): void {
    this.subscribers.delete(source);
    this.newcomers.delete(source);
    if (this.subscribers.size === 0 && !this.stopped) {
      this.stop();
      this.onStop();
    }
  }

  /**
   * The facade just wrote the object: read it in NUDGE_MS (never sooner than the fast interval after the last
   * early read, so a burst of writes makes one), then back off from the fast interval as after a change.
   */
  nudge(): void {
    if (this.stopped) return;
    this.delayMs = Math.min(this.delayMs, this.schedule.fastMs);
    this.readEarly(NUDGE_MS);
  }

  /** A read in `ms`, never sooner than the fast interval after the last early read (writes and joins alike). */
  private readEarly(ms: number): void {
    const at = Math.max(Date.now() + ms, this.earlyAt + this.schedule.fastMs);
    // No timer: a read is under way, and may have started before the write; the next one comes early.
    if (!this.timer) this.wanted = Math.min(this.wanted ?? at, at);
    else if (this.dueAt > at) this.wait(at - Date.now(), true);
  }

  private wait(ms: number, early = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = Date.now() + ms;
    this.dueEarly = early;
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref();
  }

  /** The usual delay, or sooner when a write asked for an early read during the last one. */
  private next(delayMs: number): void {
    const wanted = this.wanted;
    this.wanted = null;
    if (wanted !== null && wanted < Date.now() + delayMs) this.wait(Math.max(0, wanted - Date.now()), true);
    else this.wait(delayMs);
  }

  private async poll(): Promise<void> {
    this.timer = null;
    if (this.dueEarly) this.earlyAt = Date.now();
    this.dueEarly = false;
    const reader = this.subscribers.values().next().value;
    if (!reader || this.stopped) return;
    this.reading = true;
    this.counters.polls++;
    let event: LiveEvent;
    let final = false;
    try {
      const object = await reader.read(this.kind, this.id);
      // Judged here, inside the try: an object of an unexpected shape is this poll's error, never an unhandled one.
      final = object === null || isFinal(this.kind, object);
      event = { object };
    } catch (error) {
      event = { error };
    }
    this.reading = false;
    if (this.stopped) return;
    if ('error' in event && isTokenRefusal(event.error)) return this.refused(event, reader.credential);
    const key = eventKey(event);
    const changed = key !== this.lastKey;
    this.last = event;
    this.lastKey = key;
    this.lastAt = Date.now();
    for (const source of this.subscribers.keys()) if (this.newcomers.delete(source) || changed || readAgain(source)) source.push(event);
    if (final) {
      // Deleted, or a finished job: nothing more will come; each subscriber completes after this event.
      this.stop();
      this.onStop();
      return;
    }
    const outcome = 'error' in event ? 'failed' : changed ? 'changed' : 'unchanged';
    const busy = 'object' in event && isBusy(this.kind, event.object);
    this.delayMs = nextDelay(this.delayMs, outcome, busy, this.schedule);
    this.next(this.delayMs);
  }

  /**
   * The token read with was refused (an upstream's 401): it would be again, so its subscribers get the refusal and
   * end; the others of the caller (with Keystone, its other tokens) are read for at once with their own.
   */
  private refused(event: LiveEvent, credential: string): void {
    for (const [source, reader] of [...this.subscribers]) {
      if (reader.credential !== credential) continue;
      source.push(event);
      source.end();
    }
    if (this.stopped) return;
    this.wait(0);
  }
}

/** An upstream's 401 (or Keystone's refusal) of the token a poller reads with. */
function isTokenRefusal(error: unknown): boolean {
  return error instanceof FacadeError && error.code === 'UNAUTHENTICATED';
}

function eventKey(event: LiveEvent): string {
  if ('object' in event) return JSON.stringify(event.object);
  const e = event.error as { code?: unknown; message?: unknown } | null;
  return `error:${String(e?.code)}:${String(e?.message)}`;
}

/** Every poller of the facade, by caller, kind and object. Nothing is shared between two callers' keys. */
export class PollerRegistry {
  private readonly pollers = new Map<string, Poller>();
  /** Upstream reads made so far (metrics, soak). */
  readonly counters = { polls: 0 };

  constructor(private readonly schedule: PollSchedule) {}

  get size(): number {
    return this.pollers.size;
  }

  /** `callerKey`: who reads (a token hash, or with Keystone the user and project), never the token itself. */
  join(callerKey: string, kind: WatchedKind, id: string, reader: Reader): PushStream<LiveEvent> {
    const key = `${callerKey}\u0000${kind}\u0000${id}`;
    let poller = this.pollers.get(key);
    if (!poller) {
      const created: Poller = new Poller(kind, id, this.schedule, this.counters, () => {
        if (this.pollers.get(key) === created) this.pollers.delete(key);
      });
      poller = created;
      this.pollers.set(key, poller);
    }
    return poller.join(reader);
  }

  stopAll(): void {
    for (const poller of [...this.pollers.values()]) poller.stop();
    this.pollers.clear();
  }
}
