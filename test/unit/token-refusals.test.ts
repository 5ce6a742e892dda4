import { describe, expect, it } from 'vitest';
import { TokenRefusals } from '../../src/identity/tokenRefusals.js';
import { Admission } from '../../src/http/admission.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('TokenRefusals', () => {
  it('lets an address have its share refused, then makes it wait until the bucket refills at that rate per minute', () => {
    const c = clock();
    const r = new TokenRefusals(6, c.now); // one every 10 s
    for (let i = 0; i < 5; i++) r.refused('address:a');
    expect(r.waitMs('address:a')).toBe(0);
    r.refused('address:a');
    expect(r.waitMs('address:a')).toBe(10_000);
    c.advance(4_000);
    expect(r.waitMs('address:a')).toBe(6_000);
    c.advance(6_000);
    expect(r.waitMs('address:a')).toBe(0);
    // Another address is not affected.
    expect(r.waitMs('address:b')).toBe(0);
  });

  it('never goes below empty: refusals of requests admitted before it ran dry do not lengthen the wait', () => {
    const c = clock();
    const r = new TokenRefusals(60, c.now);
    for (let i = 0; i < 75; i++) r.refused('address:a');
    expect(r.waitMs('address:a')).toBe(1_000);
  });

  it('0 is no limit', () => {
    const r = new TokenRefusals(0);
    for (let i = 0; i < 1_000; i++) r.refused('address:a');
    expect(r.waitMs('address:a')).toBe(0);
  });

  it('remembers at most 10,000 addresses, forgetting the least recently refused', () => {
    const c = clock();
    const r = new TokenRefusals(1, c.now);
    r.refused('address:first');
    for (let i = 0; i < 10_000; i++) r.refused(`address:${i}`);
    expect(r.waitMs('address:first')).toBe(0);
    expect(r.waitMs('address:9999')).toBe(60_000);
  });
});

describe('Admission with MAX_REFUSED_TOKENS_PER_CLIENT', () => {
  it('refuses an unverified token from an address past its share (429 with the wait), not a known caller or another address', () => {
    const a = new Admission(256, [], 0, 2);
    a.tokenRefusals.refused('address:10.0.0.1');
    a.tokenRefusals.refused('address:10.0.0.1');
    const refusal = a.check('address:10.0.0.1', true);
    expect(refusal).toMatchObject({ kind: 'refused-tokens', retryAfter: 30 });
    expect(a.admit('address:10.0.0.1', true)).toMatchObject({ kind: 'refused-tokens' });
    // The same address without a token to check, a known token, another address: admitted.
    expect(a.check('address:10.0.0.1')).toBeNull();
    expect(a.check('token:known')).toBeNull();
    expect(a.check('address:10.0.0.2', true)).toBeNull();
  });
});
