/** Client addresses remembered at once; the least recently refused goes first. */
const MAX_ADDRESSES = 10_000;

interface Bucket {
  /** Refusals the address may still have this minute (fractions refill continuously). */
  level: number;
  at: number;
}

/**
 * How many tokens not known yet may be refused per minute per client address (the door's address key: an IPv6
 * address's /64), as a token bucket: MAX_REFUSED_TOKENS_PER_CLIENT at once, refilled at that rate per minute.
 * Each refusal counted cost Keystone a validation (or, without Keystone, an upstream a call that its
 * keystonemiddleware validated): a client sending a new made-up token per request would otherwise turn the facade
 * into a stream of validations against Keystone, which every other caller's new token waits behind. Once the bucket is
 * empty, the address's tokens not known yet are refused at the door (429) until it refills; tokens already accepted
 * are not affected. 0: no such limit.
 */
export class TokenRefusals {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Milliseconds until `address` may have another token checked; 0 when it may now. */
  waitMs(address: string): number {
    const bucket = this.buckets.get(address);
    if (!bucket) return 0; // none is kept with no limit (0)
    const level = this.refill(bucket);
    if (level >= this.perMinute) this.buckets.delete(address); // full again: nothing left to remember
    return level >= 1 ? 0 : Math.ceil((1 - level) / this.perMs);
  }

  /** Keystone (or an upstream) refused a token `address` sent: one fewer it may have checked this minute. */
  refused(address: string): void {
    if (this.perMinute === 0) return;
    const bucket = this.buckets.get(address);
    const level = bucket ? this.refill(bucket) : this.perMinute;
    // Refusals of requests admitted before the bucket ran dry still count, down to empty, not below.
    this.buckets.delete(address);
    this.buckets.set(address, { level: Math.max(0, level - 1), at: this.now() });
    if (this.buckets.size > MAX_ADDRESSES) this.buckets.delete(this.buckets.keys().next().value as string);
  }

  private refill(bucket: Bucket): number {
    const now = this.now();
    bucket.level = Math.min(this.perMinute, bucket.level + (now - bucket.at) * this.perMs);
    bucket.at = now;
    return bucket.level;
  }
}
