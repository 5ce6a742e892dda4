// Noisy-neighbour probe of 2026-12-07: one caller, within its own MAX_IN_FLIGHT_PER_CALLER, sent slow screens of
// many calls each and filled Cinder's shared queue; another caller then got 503 OVERLOADED on 32 of 33 requests, or
// waited up to 6 s. Now the other caller's calls are served in turn (bulkhead.ts) and the door sheds the caller that
// holds the load, not everyone (Admission.spared).
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { SHED_QUEUE_SHARE } from '../../src/http/admission.js';
import { createCinderSimulator } from '../../src/simulator/cinder/index.js';
import { type RunningSimulator, type SimHandler, serveSimulator } from '../../src/simulator/server.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { sleep } from '../helpers/live.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const SCREEN = '{ groups(first: 10) { nodes { id volumes { id } snapshots(first: 5) { nodes { id } } } } }';
const SMALL = '{ groups(first: 2) { nodes { id name } } }';

let f: Facade | undefined;
let sim: RunningSimulator | undefined;
afterEach(async () => {
  await f?.close();
  await sim?.close();
  f = undefined;
  sim = undefined;
});

/** Cinder answering `token`'s calls only after `ms`: its project's backend is slow, the others' are not. */
function slowFor(handler: SimHandler, token: string, ms: { value: number }): SimHandler {
  return async (req) => {
    if (req.headers['x-auth-token'] === token && ms.value > 0) await sleep(ms.value);
    return handler(req);
  };
}

describe("one caller's slow screens and another caller", () => {
  it("the other caller is answered in full, promptly, while the first one's calls fill Cinder's queue", async () => {
    const delay = { value: 0 };
    sim = await serveSimulator(slowFor(createCinderSimulator({ transitionMs: 20 }).handler, 'noisy', delay));
    f = await startFacade({ CINDER_URL: `${sim.origin}/v3/${PROJECT}`, SDRS_URL: 'http://127.0.0.1:9/v1/x', UPSTREAM_MAX_CONNECTIONS: '4' });
    // Both tokens shown real by an upstream answer: each a caller of its own at the door.
    for (const token of ['noisy', 'quiet']) await f.ok(SMALL, undefined, { token });
    delay.value = 1_000;
    const bulkhead = f.app.upstreams.cinder!.http.bulkhead;
    const noisy = Array.from({ length: 16 }, () => f!.gql(SCREEN, undefined, { token: 'noisy' }));
    const saturated = () => bulkhead.queued > bulkhead.maxQueued * SHED_QUEUE_SHARE;
    for (let i = 0; i < 100 && !saturated(); i++) await sleep(20);
    expect(saturated()).toBe(true); // its calls fill more than three quarters of the queue: the door's rule 2
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const r = await f.gql<any>(SMALL, undefined, { token: 'quiet' });
      waits.push(performance.now() - started);
      expect(r.errors, `request ${i}: ${r.raw}`).toBeUndefined();
      expect(r.data.groups.nodes.length).toBe(2);
    }
    // Each waits for a connection to come free (a noisy call takes 1 s), then its call goes next: not behind the
    // 16 calls queued before it (4 s), and never refused.
    expect(Math.max(...waits)).toBeLessThan(2_000);
    delay.value = 0;
    await Promise.all(noisy);
  });
});
