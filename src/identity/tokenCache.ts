import { hash } from 'node:crypto';

/**
 * Validated tokens, by a hash of the token (never the token): each kept until the earlier of its own expiry and
 * `ttlMs`, at most `maxEntries` (the oldest written goes first). It holds who the caller is and their catalog,
 * never data read with the token.
 */
export class TokenCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  static keyOf(token: string): string {
    return hash('sha256', token, 'base64url');
  }

  /** `key`: the token's keyOf when the caller already has it (Caller.tokenHash). */
  get(token: string, key = TokenCache.keyOf(token)): V | undefined {
    const e = this.entries.get(key);
    if (e && this.now() < e.until) {
      this.hits++;
      return e.value;
    }
    if (e) this.entries.delete(key);
    this.misses++;
    return undefined;
  }

  /** Whether a live entry is kept for this key (not counted as a hit or a miss: nothing was looked up for use). */
  has(key: string): boolean {
    const e = this.entries.get(key);
    return e !== undefined && this.now() < e.until;
  }

  /** Keeps a validated token; one already expired (or expiring now) is not kept. */
  set(token: string, value: V, expiresAt: number, key = TokenCache.keyOf(token)): void {
    const until = Math.min(expiresAt, this.now() + this.ttlMs);
    if (until <= this.now()) return;
    this.entries.delete(key);
    this.entries.set(key, { value, until });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}
