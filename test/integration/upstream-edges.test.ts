// Upstreams that misbehave in ways a probe found. A version document sent a byte at a time held every request to
// that service forever (the shared read had no deadline and nobody waited on it less than forever), filled the
// in-flight slots, and held the shutdown. A version that is not major.minor made every field of the service an
// INTERNAL_SERVER_ERROR, cached for five minutes.
import { afterEach, describe, expect, it } from 'vitest';
import { createCinderSimulator } from '../../src/simulator/cinder/index.js';
import { type RunningSimulator, serveSimulator } from '../../src/simulator/server.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type FaultyProxy, answer, faultyProxy, trickle } from '../helpers/faultyProxy.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const VERSION_DOCUMENT = /^GET \/$/;

let sim: RunningSimulator | undefined;
let proxy: FaultyProxy | undefined;
let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  await proxy?.close();
  await sim?.close();
  f = proxy = sim = undefined;
});

async function cinderBehindProxy(env: Record<string, string> = {}) {
  sim = await serveSimulator(createCinderSimulator({}).handler);
  proxy = await faultyProxy(sim.origin);
  return proxy;
}

const startOn = (p: FaultyProxy, env: Record<string, string> = {}) => startFacade({ CINDER_URL: `${p.origin}/v3/${PROJECT}`, ...env });

describe('a version document that never ends', () => {
  it('each request waits on it no longer than its deadline, and the facade still closes at once', async () => {
    const p = await cinderBehindProxy();
    p.misbehave(VERSION_DOCUMENT, trickle);
    f = await startOn(p, { REQUEST_DEADLINE_MS: '1500' });
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const r = await f.gql('{ groups(first: 1) { nodes { id } } }');
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
      expect(r.errors?.[0]?.message).toMatch(/Cinder did not send its version document before the request deadline/);
    }
    // Both requests shared the one read (the start-up's) rather than starting more.
    expect(p.seen.filter((s) => VERSION_DOCUMENT.test(s))).toHaveLength(1);
    const closing = Date.now();
    await f.close();
    f = undefined;
    expect(Date.now() - closing).toBeLessThan(3_000);
  });
});

describe('a version document that does not read as versions', () => {
  it('is UPSTREAM_ERROR, not an internal error, and is read again by the next request', async () => {
    const p = await cinderBehindProxy();
    p.misbehave(VERSION_DOCUMENT, answer(200, { versions: [{ id: 'v3.0', status: 'CURRENT', version: 'banana', min_version: '3.0' }] }));
    f = await startOn(p);
    const r = await f.gql('{ groups(first: 1) { nodes { id } } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/Cinder advertised its v3 API at a version that is not major.minor/);
    p.heal();
    const healed = await f.gql('{ groups(first: 1) { nodes { id } } }');
    expect(healed.errors).toBeUndefined();
  });
});
