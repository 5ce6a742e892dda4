import { GraphQLError } from 'graphql';
import type { CallerIdentity } from '../identity/gate.js';

/** Node's longest timer: a later expiry is not watched (it would fire at once). */
const MAX_TIMER_MS = 2_147_483_647;
/** The fewest milliseconds between two checks of one subscription's token (KEYSTONE_CACHE_SECONDS=0 trusts nothing). */
const MIN_RECHECK_MS = 1_000;

export interface TokenEnd {
  message: string;
  outcome: 'token_expired' | 'token_refused';
}

/**
 * A Keystone token's life under a subscription: it ends when the token expires, and when Keystone, asked again each
 * time the facade's trust in its last answer lapses (KEYSTONE_CACHE_SECONDS), refuses the token (revoked), as a
 * query of that token would be refused then. The upstreams' polls cannot be relied on to say so: keystonemiddleware
 * trusts a token for 5 minutes by default. Keystone failing is not a refusal: the subscription goes on. Returns the
 * function that stops watching.
 */
export function watchToken(admitted: CallerIdentity | undefined, recheck: () => Promise<unknown>, end: (why: TokenEnd) => void): () => void {
  if (!admitted) return () => {};
  const expiresIn = admitted.identity.expiresAt.getTime() - Date.now();
  const expiry =
    expiresIn < MAX_TIMER_MS
      ? setTimeout(() => end({ message: 'The Keystone token has expired; subscribe again with a new one.', outcome: 'token_expired' }), Math.max(0, expiresIn))
      : undefined;
  const every = Math.min(Math.max(admitted.keystone.cacheMs, MIN_RECHECK_MS), MAX_TIMER_MS);
  const rechecks = setInterval(() => {
    recheck().catch((err: unknown) => {
      if (err instanceof GraphQLError && err.extensions?.code === 'UNAUTHENTICATED') end({ message: err.message, outcome: 'token_refused' });
    });
  }, every);
  expiry?.unref();
  rechecks.unref();
  return () => {
    clearTimeout(expiry);
    clearInterval(rechecks);
  };
}
