/**
 * An async iterator fed from outside. `return()` acts at once, even while a consumer waits for the next value:
 * an async generator would only notice at its next `yield`, and a disconnected subscriber must stop its share of
 * the polling then, not at the next change.
 */
export class PushStream<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T, undefined>) => void) | null = null;
  private ended = false;
  private cutShort = false;
  private holdsWhenCut = false;
  private readonly endListeners: (() => void)[] = [];

  constructor(private readonly onEnd: () => void = () => {}) {}

  /** `listener` runs once the stream has ended (at once if it has). */
  onceEnded(listener: () => void): void {
    if (this.ended) listener();
    else this.endListeners.push(listener);
  }

  get done(): boolean {
    return this.ended;
  }

  /** Ended by a drain, not by the subscription: its transport ends the connection instead of sending `complete`. */
  get wasCut(): boolean {
    return this.cutShort;
  }

  /** Once cut, the consumer gets what is queued, then waits for return(): graphql-ws sends `complete` at an end. */
  holdWhenCut(): void {
    this.holdsWhenCut = true;
  }

  push(value: T): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting({ value, done: false });
    } else {
      this.queue.push(value);
    }
  }

  /** A value the consumer took, put back in front (a transport that looked at the first one before passing it on). */
  unshift(value: T): void {
    this.queue.unshift(value);
  }

  /** No more values: the consumer reads what is queued, then the end. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    for (const listener of this.endListeners.splice(0)) listener();
    if (!this.holding) this.wake();
  }

  /**
   * The server is going away (a drain): ended as by end(), but marked, so that its client is not told the
   * subscription is over (`complete`) and subscribes again, as after a lost connection.
   */
  cut(): void {
    if (this.ended) return;
    this.cutShort = true;
    this.end();
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift() as T, done: false });
    if (this.ended && !this.holding) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The consumer leaves (a client disconnected): drop what is queued and end now. */
  async return(): Promise<IteratorResult<T, undefined>> {
    this.queue.length = 0;
    this.holdsWhenCut = false;
    this.end();
    this.wake();
    return { value: undefined, done: true };
  }

  async throw(): Promise<IteratorResult<T, undefined>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private get holding(): boolean {
    return this.cutShort && this.holdsWhenCut;
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.({ value: undefined, done: true });
  }
}
