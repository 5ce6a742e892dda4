import { hash } from 'node:crypto';

/** A bound on what the values weigh: `bytesOf` estimates one, `maxBytes` is the most kept in all. */
export interface ByteBudget<V> {
  maxBytes: number;
  bytesOf: (value: V) => number;
}

/** Expired entries looked at per write or lookup: enough to keep up with writes, never a walk of the whole cache. */
const SWEEP_PER_USE = 4;

/**
 * Validated tokens, by a hash of the token (never the token): each kept until the earlier of its own expiry and
 * `ttlMs`, at most `maxEntries` and `budget.maxBytes` (the least recently used goes first). It holds who the caller is
 * and the endpoints of their catalog, never data read with the token.
 */
export class TokenCache<V> {
  private readonly entries = new Map<string, { value: V; until: number; bytes: number }>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
    private readonly budget?: ByteBudget<V>,
  ) {}

  static keyOf(token: string): string {
    return hash('sha256', token, 'base64url');
  }

  /** `key`: the token's keyOf when the caller already has it (Caller.tokenHash). */
  get(token: string, key = TokenCache.keyOf(token)): V | undefined {
    this.sweep();
    const e = this.entries.get(key);
    if (e && this.now() < e.until) {
      this.hits++;
      // Last in the order, so that a churn of new tokens pushes out idle ones before one in use.
      this.entries.delete(key);
      this.entries.set(key, e);
      return e.value;
    }
    if (e) this.drop(key);
    this.misses++;
    return undefined;
  }

  /** A live entry's value, by key alone, neither counted nor moved in the order (the door's look at it). */
  peek(key: string): V | undefined {
    const e = this.entries.get(key);
    return e !== undefined && this.now() < e.until ? e.value : undefined;
  }

  /** Whether a live entry is kept for this key (not counted as a hit or a miss: nothing was looked up for use). */
  has(key: string): boolean {
    const e = this.entries.get(key);
    return e !== undefined && this.now() < e.until;
  }

  /** Keeps a validated token; one already expired (or expiring now), or heavier than the whole budget, is not kept. */
  set(token: string, value: V, expiresAt: number, key = TokenCache.keyOf(token)): void {
    this.sweep();
    const until = Math.min(expiresAt, this.now() + this.ttlMs);
    const bytes = this.budget?.bytesOf(value) ?? 0;
    if (until <= this.now() || bytes > this.maxBytes) return;
    this.drop(key);
    this.entries.set(key, { value, until, bytes });
    this.bytes += bytes;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) this.drop(this.oldestKey()!);
  }

  get size(): number {
    return this.entries.size;
  }

  /** What the kept values weigh by `budget.bytesOf` (0 without a budget). */
  get weight(): number {
    return this.bytes;
  }

  /**
   * Drops expired entries from the least recently used on: a token looked up only once was otherwise kept until
   * `maxEntries` newer ones pushed it out (a 1 s TTL still let the heap reach ~155 MB). Stops at the first live
   * one, so an expired entry behind it waits at most `ttlMs` longer (or until it is looked up).
   */
  private sweep(): void {
    const now = this.now();
    for (let i = 0; i < SWEEP_PER_USE; i++) {
      const key = this.oldestKey();
      if (key === undefined || this.entries.get(key)!.until > now) return;
      this.drop(key);
    }
  }

  private get maxBytes(): number {
    return this.budget?.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  private oldestKey(): string | undefined {
    return this.entries.keys().next().value;
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }
}
