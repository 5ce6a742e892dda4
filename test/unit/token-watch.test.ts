// Review of 2026-12-08: a recheck Keystone answered 403 (the token may no longer validate itself) was taken for an
// outage: the subscriptions streamed on until two checks had "failed", then ended UPSTREAM_UNAVAILABLE.
import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type TokenEnd, TokenWatches } from '../../src/live/tokenWatch.js';

afterEach(() => vi.useRealTimers());

describe('TokenWatches', () => {
  it.each(['FORBIDDEN', 'UNAUTHENTICATED'])('a recheck refused %s ends the subscriptions at the first', async (code) => {
    vi.useFakeTimers();
    const watches = new TokenWatches();
    const admitted = { identity: { expiresAt: new Date(Date.now() + 3_600_000) }, keystone: { cacheMs: 1_000 } } as never;
    const ended: TokenEnd[] = [];
    watches.watch(admitted, 'k', () => Promise.reject(new GraphQLError('refused', { extensions: { code } })), (why) => ended.push(why));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ended).toEqual([{ message: 'refused', code, outcome: 'token_refused' }]);
  });
});
