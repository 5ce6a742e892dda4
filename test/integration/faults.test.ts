// A sick upstream never crashes the facade: partial data with pathed errors, the rest of the query intact,
// and every answer inside the request deadline.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Chaos } from '../../src/simulator/server.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const DEADLINE = 1_500;
const UPSTREAM_CODES = ['UPSTREAM_ERROR', 'UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE'];
let f: Facade;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => void process.off('unhandledRejection', onUnhandled));
// A fresh facade per fault: the circuit breaker one fault opens must not hide the next.
beforeEach(async () => {
  f = await startFacade({ REQUEST_DEADLINE_MS: String(DEADLINE), UPSTREAM_TIMEOUT_MS: '1000' }, { cinder: { transitionMs: 20 } });
});
afterEach(() => f.close());

describe.each<[string, Chaos]>([
  ['50 % 5xx', { errorRate: 0.5 }],
  ['+2 s latency', { extraLatencyMs: 2_000 }],
  ['resetting connections', { resetRate: 0.5 }],
  ['HTML and truncated JSON', { garbageRate: 1 }],
])('Cinder with %s', (_, chaos) => {
  it('answers every query in time with partial data and pathed errors', async () => {
    // Callers Cinder has accepted before (a new token counts against its address until an upstream accepts it).
    for (let i = 0; i < 20; i++) await f.gql('{ groups(first: 1) { nodes { id } } }', undefined, { token: `caller-${i}` });
    f.app.simulators.cinder!.setChaos(chaos);
    const results = await Promise.all(
      // Twenty callers at once (one caller may have only MAX_IN_FLIGHT_PER_CALLER in progress).
      Array.from({ length: 20 }, async (_, i) => {
        const t0 = Date.now();
        const r = await f.gql('{ about { services { name mode } } groups(first: 3) { nodes { id name volumes { id } } } }', undefined, { token: `caller-${i}` });
        return { r, ms: Date.now() - t0 };
      }),
    );
    for (const { r, ms } of results) {
      expect(r.status).toBe(200);
      expect(ms).toBeLessThan(DEADLINE + 1_000);
      expect(r.data?.about.services).toHaveLength(3);
      for (const e of r.errors ?? []) {
        expect(e.path?.[0]).toBe('groups');
        expect(UPSTREAM_CODES).toContain(e.extensions?.code);
        expect(e.extensions?.upstream?.service).toBe('cinder');
        expect(e.message).not.toMatch(/<html|trunc/i);
      }
    }
    if (chaos.garbageRate === 1 || chaos.extraLatencyMs) expect(results.every(({ r }) => (r.errors?.length ?? 0) > 0)).toBe(true);
    expect(unhandled).toEqual([]);
  });
});
