// A read after a write that failed says the write was made, whatever kind of facade error the read raised (a
// malformed upstream object is a FacadeError, not an UpstreamError), and keeps the upstream's text for the log.
import { describe, expect, it } from 'vitest';
import { FacadeError, UpstreamError } from '../../src/errors.js';
import { madeButUnread } from '../../src/live/writeOutcome.js';

describe('madeButUnread', () => {
  it("says the change was made for a facade error that is not an upstream's", () => {
    const err = madeButUnread(new FacadeError('UPSTREAM_ERROR', 'Cinder answered a group without a name.')) as FacadeError;
    expect(err).toBeInstanceOf(FacadeError);
    expect(err.code).toBe('UPSTREAM_ERROR');
    expect(err.message).toMatch(/^The change was made, .*do not send the change again.*: Cinder answered a group without a name\.$/);
  });

  it("keeps an upstream error's fields and its upstream text for the log", () => {
    const original = new UpstreamError('UPSTREAM_ERROR', 'Cinder failed (HTTP 500).', 'cinder', 500, 'req-1', 'computeFault');
    original.upstreamMessage = 'Traceback: db timeout';
    const err = madeButUnread(original) as UpstreamError;
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', service: 'cinder', status: 500, requestId: 'req-1', upstreamCode: 'computeFault', upstreamMessage: 'Traceback: db timeout' });
    expect(err.message).toMatch(/^The change was made/);
  });

  it('passes anything else on as it is (a bug of the facade stays one)', () => {
    const bug = new TypeError('x is undefined');
    expect(madeButUnread(bug)).toBe(bug);
  });
});
