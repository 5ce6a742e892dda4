/**
 * Subscriptions' places against MAX_SUBSCRIPTIONS and MAX_SUBSCRIPTIONS_PER_CALLER: one is taken when a subscribe
 * passes its check, at once, so that the check of the next one (even one read in the same tick, on any socket)
 * counts it; a count of streams made, which comes after an await, let a burst through. The subscription gives its
 * place back when its stream ends or is refused; a place never claimed goes back by itself after `unclaimedMs`.
 */
export class SubscriptionPlaces {
  private total = 0;
  private readonly perCaller = new Map<string, number>();
  /** A checked subscribe's place, by its context, until subscribe() claims it. */
  private readonly pending = new WeakMap<object, { release: () => void; unclaimed: NodeJS.Timeout }>();

  constructor(private readonly unclaimedMs: number) {}

  get taken(): number {
    return this.total;
  }

  takenBy(key: string): number {
    return this.perCaller.get(key) ?? 0;
  }

  take(context: object, key: string): void {
    this.total++;
    this.count(key, 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.total--;
      this.count(key, -1);
    };
    const unclaimed = setTimeout(release, this.unclaimedMs);
    unclaimed.unref();
    this.pending.set(context, { release, unclaimed });
  }

  /** The place taken for this subscribe: its release (idempotent), now the subscription's to call. */
  claim(context: object): () => void {
    const place = this.pending.get(context);
    if (!place) return () => {};
    this.pending.delete(context);
    clearTimeout(place.unclaimed);
    return place.release;
  }

  private count(key: string, change: 1 | -1): void {
    const n = (this.perCaller.get(key) ?? 0) + change;
    if (n > 0) this.perCaller.set(key, n);
    else this.perCaller.delete(key);
  }
}
