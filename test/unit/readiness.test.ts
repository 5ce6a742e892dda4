// /readyz's verdict from the circuits alone: which upstreams count for "nothing can be answered".
import { describe, expect, it } from 'vitest';
import { readiness } from '../../src/http/readiness.js';
import type { Protection } from '../../src/observability/metrics.js';

const at = (service: string, state: string, host = `http://${service}`): Protection =>
  ({ service, host, breaker: { state }, bulkhead: { inFlight: 0, queued: 0 } }) as unknown as Protection;

describe('readiness', () => {
  it('is ready with every circuit closed, and with no upstream yet', () => {
    expect(readiness(false, [at('cinder', 'closed'), at('keystone', 'closed')])).toMatchObject({ status: 'ready', httpStatus: 200 });
    expect(readiness(false, [])).toMatchObject({ status: 'ready', httpStatus: 200 });
  });

  it('is degraded while another data service still answers', () => {
    expect(readiness(false, [at('cinder', 'open'), at('manila', 'closed'), at('keystone', 'closed')])).toMatchObject({ status: 'degraded', httpStatus: 200, open: ['cinder'] });
  });

  it("is not ready when every data service is open, though Keystone's circuit is closed", () => {
    // Keystone answering does not answer a query: every request would be UPSTREAM_UNAVAILABLE.
    expect(readiness(false, [at('cinder', 'open'), at('keystone', 'closed')])).toMatchObject({ status: 'not-ready', httpStatus: 503, open: ['cinder'] });
    const twoHosts = [at('cinder', 'open', 'http://a'), at('cinder', 'open', 'http://b'), at('keystone', 'closed')];
    expect(readiness(false, twoHosts)).toMatchObject({ status: 'not-ready', open: ['cinder http://a', 'cinder http://b'] });
    expect(readiness(false, [at('cinder', 'open', 'http://a'), at('cinder', 'closed', 'http://b'), at('keystone', 'closed')])).toMatchObject({ status: 'degraded' });
  });

  it("is not ready while Keystone's circuit is open, and while draining", () => {
    expect(readiness(false, [at('cinder', 'closed'), at('keystone', 'open')])).toMatchObject({ status: 'not-ready', httpStatus: 503 });
    expect(readiness(true, [at('cinder', 'closed')])).toMatchObject({ status: 'draining', httpStatus: 503 });
  });

  it('counts a half-open circuit as letting a probe through', () => {
    expect(readiness(false, [at('cinder', 'half-open'), at('keystone', 'closed')])).toMatchObject({ status: 'ready' });
  });
});
