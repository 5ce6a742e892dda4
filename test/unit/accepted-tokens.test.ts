// Without Keystone, which upstream answers show that a token is real (src/identity/acceptedTokens.ts), and the
// door's caller for a token before and after (src/context.ts, doorCaller).
import { describe, expect, it } from 'vitest';
import { doorCaller } from '../../src/context.js';
import { AcceptedTokens, acceptsToken } from '../../src/identity/acceptedTokens.js';

describe('acceptsToken', () => {
  it('any answer the service itself gave: 2xx, 3xx, and 4xx but 401 and 429', () => {
    for (const status of [200, 202, 204, 300, 400, 403, 404, 409, 413]) expect(acceptsToken(status)).toBe(true);
  });

  it('not 401 (keystonemiddleware refused it), nor 429 or 5xx (maybe something in front that never looked)', () => {
    for (const status of [401, 429, 500, 502, 503, 504]) expect(acceptsToken(status)).toBe(false);
  });
});

describe('doorCaller without Keystone', () => {
  it('counts a token against its client address until it is accepted, then as its own caller', () => {
    const accepted = new AcceptedTokens();
    const before = doorCaller(null, 'tok', '10.0.0.7', accepted);
    expect(before.key).toBe('address:10.0.0.7');
    expect(before.by).toBe('upstream');
    expect(before.onceAccepted).toMatch(/^token:/);
    accepted.add(before.onceAccepted!);
    const after = doorCaller(null, 'tok', '10.0.0.7', accepted);
    expect(after).toMatchObject({ key: before.onceAccepted, onceAccepted: null, by: null });
    // Another made-up token from the same address is still the address's.
    expect(doorCaller(null, 'other', '10.0.0.7', accepted).key).toBe('address:10.0.0.7');
  });

  it('with no registry every token is its own caller, and no token is always its address', () => {
    expect(doorCaller(null, 'tok', '10.0.0.7').key).toMatch(/^token:/);
    expect(doorCaller(null, null, '10.0.0.7', new AcceptedTokens()).key).toBe('address:10.0.0.7');
  });
});
