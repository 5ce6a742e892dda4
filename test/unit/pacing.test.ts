// RefusalPacing on a hand-set clock: the first refusal of a connection goes at once; a connection that comes
// back within Retry-After waits REPEAT_REFUSAL_HOLD_MS; an admitted request starts it clean.
import { describe, expect, it } from 'vitest';
import { REPEAT_REFUSAL_HOLD_MS, RefusalPacing } from '../../src/http/pacing.js';

describe('RefusalPacing', () => {
  it('holds only the refusals of a connection that came back before Retry-After', () => {
    let now = 0;
    const pacing = new RefusalPacing(REPEAT_REFUSAL_HOLD_MS, () => now);
    const a = {};
    const b = {};
    expect(pacing.holdFor(a, 1)).toBe(0);
    now = 5;
    expect(pacing.holdFor(a, 1)).toBe(REPEAT_REFUSAL_HOLD_MS);
    expect(pacing.holdFor(b, 1)).toBe(0);
    // Counted from when the held refusal left: 5 + 100; a second later it is a first refusal again.
    now = 5 + REPEAT_REFUSAL_HOLD_MS + 999;
    expect(pacing.holdFor(a, 1)).toBe(REPEAT_REFUSAL_HOLD_MS);
    now += 1_000 + REPEAT_REFUSAL_HOLD_MS;
    expect(pacing.holdFor(a, 1)).toBe(0);
  });

  it('forgets a connection once a request of it is admitted', () => {
    let now = 0;
    const pacing = new RefusalPacing(REPEAT_REFUSAL_HOLD_MS, () => now);
    const a = {};
    pacing.holdFor(a, 1);
    pacing.admitted(a);
    now = 1;
    expect(pacing.holdFor(a, 1)).toBe(0);
    expect(pacing.holdFor(null, 1)).toBe(0);
  });
});
