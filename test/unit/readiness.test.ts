// /readyz's verdict from the circuits alone: which upstreams count for "nothing can be answered".
import { describe, expect, it } from 'vitest';
import { readiness } from '../../src/http/readiness.js';
import type { Protection } from '../../src/observability/metrics.js';
import { CircuitBreaker } from '../../src/upstreams/resilience.js';

const at = (service: string, state: string, host = `http://${service}`, unreached = false): Protection =>
  ({ service, host, breaker: { state, unreached }, bulkhead: { inFlight: 0, queued: 0 } }) as unknown as Protection;
const unreached = (service: string, host?: string) => at(service, 'closed', host, true);

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

  it('counts a data service not reached since start-up like an open circuit, naming it in `unreachable`', () => {
    expect(readiness(false, [unreached('cinder'), unreached('manila'), at('keystone', 'closed')])).toMatchObject({
      status: 'not-ready',
      httpStatus: 503,
      open: [],
      unreachable: ['cinder', 'manila'],
    });
    expect(readiness(false, [unreached('cinder'), at('manila', 'open')])).toMatchObject({ status: 'not-ready', open: ['manila'], unreachable: ['cinder'] });
    expect(readiness(false, [unreached('cinder'), at('sdrs', 'half-open')])).toMatchObject({ status: 'degraded', httpStatus: 200, unreachable: ['cinder'] });
    expect(readiness(false, [unreached('cinder', 'http://a'), at('cinder', 'closed', 'http://b')])).toMatchObject({ status: 'degraded', unreachable: ['cinder http://a'] });
    // Open and unreached: named once, as open.
    expect(readiness(false, [at('cinder', 'open', undefined, true), at('sdrs', 'closed')])).toMatchObject({ open: ['cinder'], unreachable: [] });
    expect(readiness(true, [unreached('cinder')])).toMatchObject({ status: 'draining', unreachable: ['cinder'] });
  });

  it("is cleared by a call answered without a fault (a success or a 4xx), not by a failure that may have had no answer", () => {
    const breaker = new CircuitBreaker();
    breaker.unreached = true;
    breaker.record(false);
    breaker.record(false, 'caller-1');
    expect(breaker.unreached).toBe(true);
    breaker.record(true, undefined, 'project-a');
    expect(breaker.unreached).toBe(false);
    expect(breaker.state).toBe('closed');
  });
});
