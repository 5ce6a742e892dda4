// SDRS reference check of 2026-12-08: SDRS answers a job id it does not know with HTTP 500 SDRS.0408 ("Null job"),
// which the facade reads as NOT_FOUND; counted as an upstream failure, every mistyped or expired job id pushed the
// caller's circuit toward open.
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { upstreamFault } from '../../src/upstreams/failureKinds.js';

describe('upstreamFault', () => {
  it('a miss is no fault of the upstream, whatever its status', () => {
    expect(upstreamFault(new UpstreamError('NOT_FOUND', 'Null job', 'sdrs', 500, null, 'SDRS.0408'))).toBe(false);
    expect(upstreamFault(new UpstreamError('UPSTREAM_ERROR', 'failed', 'sdrs', 500, null, 'SDRS.0401'))).toBe(true);
  });
});
