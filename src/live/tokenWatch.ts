import { GraphQLError } from 'graphql';
import type { CallerIdentity } from '../identity/gate.js';

/** Node's longest timer: a later expiry is not watched (it would fire at once). */
const MAX_TIMER_MS = 2_147_483_647;
/** The fewest milliseconds between two checks of one token (KEYSTONE_CACHE_SECONDS=0 trusts nothing). */
const MIN_RECHECK_MS = 1_000;
/** Checks in a row that could not reach Keystone (its failures, not refusals) that end the token's subscriptions. */
const UNCONFIRMED_CHECKS = 2;

export interface TokenEnd {
  message: string;
  code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'UPSTREAM_UNAVAILABLE';
  outcome: 'token_expired' | 'token_refused' | 'token_unconfirmed';
}

type End = (why: TokenEnd) => void;

/**
 * A Keystone token's life under its subscriptions: they end when the token expires, and when Keystone, asked again
 * each time the facade's trust in its last answer lapses (KEYSTONE_CACHE_SECONDS), refuses the token (revoked), as a
 * query of that token would be refused then. The upstreams' polls cannot be relied on to say so: keystonemiddleware
 * trusts a token for 5 minutes by default. Keystone failing is not a refusal: the subscriptions go on, until two
 * checks in a row (KEYSTONE_CACHE_SECONDS apart) could not reach it (a query of the token is refused, 503, at the
 * first): a revoked token's subscriptions streamed for as long as Keystone could not be reached (probe of 2026-12-07).
 *
 * One recheck per token, whatever the number of its subscriptions: with KEYSTONE_CACHE_SECONDS=0 a timer each made
 * N subscriptions N Keystone calls a second.
 */
export class TokenWatches {
  private readonly byToken = new Map<string, { ends: Set<End>; timer: NodeJS.Timeout }>();

  /** Watches `admitted`'s token (by `key`, its hash) for one subscription; returns the function that stops. */
  watch(admitted: CallerIdentity | undefined, key: string, recheck: () => Promise<unknown>, end: End): () => void {
    if (!admitted) return () => {};
    const expiresIn = admitted.identity.expiresAt.getTime() - Date.now();
    const expiry =
      expiresIn < MAX_TIMER_MS
        ? setTimeout(() => end({ message: 'The Keystone token has expired; subscribe again with a new one.', code: 'UNAUTHENTICATED', outcome: 'token_expired' }), Math.max(0, expiresIn))
        : undefined;
    expiry?.unref();
    const shared = this.byToken.get(key) ?? this.recheckEvery(key, Math.min(Math.max(admitted.keystone.cacheMs, MIN_RECHECK_MS), MAX_TIMER_MS), recheck);
    shared.ends.add(end);
    return () => {
      clearTimeout(expiry);
      shared.ends.delete(end);
      if (shared.ends.size > 0) return;
      clearInterval(shared.timer);
      if (this.byToken.get(key) === shared) this.byToken.delete(key);
    };
  }

  private recheckEvery(key: string, ms: number, recheck: () => Promise<unknown>): { ends: Set<End>; timer: NodeJS.Timeout } {
    const ends = new Set<End>();
    // When the last check that confirmed the token was sent, and how many sent since then failed (in a row).
    let confirmedAt = performance.now();
    let failedInRow = 0;
    const endAll = (why: TokenEnd) => {
      for (const end of [...ends]) end(why);
    };
    const timer = setInterval(() => {
      const sentAt = performance.now();
      recheck().then(
        () => {
          confirmedAt = Math.max(confirmedAt, sentAt);
          failedInRow = 0;
        },
        (err: unknown) => {
          const code = err instanceof GraphQLError ? err.extensions?.code : undefined;
          // Refused (401), or no longer allowed to validate itself (Keystone's 403): Keystone answered, it is no outage.
          if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') return endAll({ message: (err as GraphQLError).message, code, outcome: 'token_refused' });
          if (++failedInRow >= UNCONFIRMED_CHECKS) endAll(unconfirmed(performance.now() - confirmedAt, err));
        },
      );
    }, ms);
    timer.unref();
    const shared = { ends, timer };
    this.byToken.set(key, shared);
    return shared;
  }
}

function unconfirmed(ms: number, err: unknown): TokenEnd {
  const why = err instanceof Error ? ` (${err.message})` : '';
  const message = `Keystone could not check the token again for ${Math.round(ms / 1000)} s${why}; subscribe again once it answers.`;
  return { message, code: 'UPSTREAM_UNAVAILABLE', outcome: 'token_unconfirmed' };
}
