import { FacadeError } from '../errors.js';
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
 * credentials of its oldest subscriber, hands every read that differs from the previous one to all of them,
 * and stops as soon as the last one leaves.
 */
class Poller {
  private readonly subscribers = new Map<PushStream<LiveEvent>, Reader>();
  private last: LiveEvent | null = null;
  private lastKey: string | null = null;
  private delayMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private reading = false;
  private stopped = false;

  constructor(
    private readonly kind: WatchedKind,
    private readonly id: string,
    private readonly schedule: PollSchedule,
    private readonly counters: { polls: number },
    private readonly onStop: () => void,
  ) {}

  get size(): number {
    return this.subscribers.size;
  }

  join(reader: Reader): PushStream<LiveEvent> {
    const source = new PushStream<LiveEvent>(() => this.leave(source));
    this.subscribers.set(source, reader);
    // A newcomer gets what the others saw last at once; the first one starts the polling.
    if (this.last) source.push(this.last);
    else if (!this.reading && !this.timer) void this.poll();
    return source;
  }

  /** Ends every subscriber (shutdown): each completes after what it was already sent. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const source of [...this.subscribers.keys()]) source.end();
  }

  private leave(source: PushStream<LiveEvent>): void {
    this.subscribers.delete(source);
    if (this.subscribers.size === 0 && !this.stopped) {
      this.stop();
      this.onStop();
    }
  }

  private async poll(): Promise<void> {
    this.timer = null;
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
    if (changed) for (const source of this.subscribers.keys()) source.push(event);
    if (final) {
      // Deleted, or a finished job: nothing more will come; each subscriber completes after this event.
      this.stop();
      this.onStop();
      return;
    }
    const outcome = 'error' in event ? 'failed' : changed ? 'changed' : 'unchanged';
    const busy = 'object' in event && isBusy(this.kind, event.object);
    this.delayMs = nextDelay(this.delayMs, outcome, busy, this.schedule);
    this.timer = setTimeout(() => void this.poll(), this.delayMs);
    this.timer.unref();
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
    this.timer = setTimeout(() => void this.poll(), 0);
    this.timer.unref();
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
