// No caller can open a circuit for the others: one token whose requests make Cinder and Manila answer 500 (real
// Cinder did so for a NUL byte in a filter) leaves the breakers closed for everyone else, while a real outage (all
// callers failing, or the upstream refusing connections) still opens them. The simulators sit behind `faultWhen`,
// which answers 500 to the requests the test picks, and the facade reaches them by URL.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createCinderSimulator } from '../../src/simulator/cinder/index.js';
import { createManilaSimulator } from '../../src/simulator/manila/index.js';
import { faultWhen } from '../../src/simulator/openstack-faults.js';
import { type RunningSimulator, type SimRequest, serveSimulator } from '../../src/simulator/server.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const QUERY = '{ groups(first: 3) { nodes { id } } shareGroups(first: 3) { nodes { id } } }';

let f: Facade | undefined;
let sims: RunningSimulator[] = [];
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await f?.close();
  await Promise.all([...sims.map((s) => s.close()), ...closers.map((c) => c())]);
  f = undefined;
  sims = [];
  closers = [];
});

/** Cinder and Manila simulators whose requests answer 500 while `failing(req)` holds; a facade in front of both. */
async function setup(failing: (req: SimRequest) => boolean) {
  const cinder = await serveSimulator(faultWhen(createCinderSimulator({ transitionMs: 20 }).handler, failing));
  const manila = await serveSimulator(faultWhen(createManilaSimulator({ transitionMs: 20 }).handler, failing));
  sims = [cinder, manila];
  f = await startFacade({ CINDER_URL: `${cinder.origin}/v3/${PROJECT}`, MANILA_URL: `${manila.origin}/v2/${PROJECT}` });
  // Version discovery out of the way, healthy.
  await f.ok(QUERY, undefined, { token: 'warm-up' });
  return { f, cinder, manila };
}

const tokenOf = (req: SimRequest) => req.headers['x-auth-token'];

async function circuits(facade: Facade, withManila = true): Promise<{ cinder: string; manila?: string }> {
  const body = (await (await request(`${facade.app.server.url}/readyz`)).body.json()) as { upstreams: Record<string, { circuit: string }> };
  return { cinder: body.upstreams.cinder!.circuit, ...(withManila ? { manila: body.upstreams.manila!.circuit } : {}) };
}

describe('circuit breaker, per caller', () => {
  it('100 requests of one token that make the upstreams answer 500 leave the circuits closed and other tokens served', async () => {
    let noisy = true;
    const { f, cinder, manila } = await setup((req) => noisy && tokenOf(req) === 'noisy');
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(Array.from({ length: 10 }, () => f.gql(QUERY, undefined, { token: 'noisy' })));
      for (const r of results) {
        // Every one of them reached the upstream and got its 500: none was refused by an open circuit.
        expect(r.errors?.map((e) => [e.extensions?.code, e.extensions?.upstream?.status]).sort()).toEqual([
          ['UPSTREAM_ERROR', 500],
          ['UPSTREAM_ERROR', 500],
        ]);
      }
    }
    const noisyCalls = (sim: RunningSimulator) => sim.calls.filter((c) => c.headers['x-auth-token'] === 'noisy').length;
    expect(noisyCalls(cinder)).toBeGreaterThanOrEqual(100);
    expect(noisyCalls(manila)).toBeGreaterThanOrEqual(100);
    expect(await circuits(f)).toEqual({ cinder: 'closed', manila: 'closed' });
    for (const token of ['alice', 'bob']) {
      const d = await f.ok<any>(QUERY, undefined, { token });
      expect(d.groups.nodes.length).toBeGreaterThan(0);
      expect(d.shareGroups.nodes.length).toBeGreaterThan(0);
    }
    noisy = false;
  });

  it('a real outage, every caller getting 500s, still opens both circuits within a dozen requests', async () => {
    let down = false;
    const { f, cinder } = await setup(() => down);
    down = true;
    const tokens = ['alice', 'bob', 'carol', 'dave'];
    for (let i = 0; i < 12; i++) await f.gql(QUERY, undefined, { token: tokens[i % tokens.length] });
    expect(await circuits(f)).toEqual({ cinder: 'open', manila: 'open' });
    const before = cinder.calls.length;
    const r = await f.gql(QUERY, undefined, { token: 'erin' });
    expect(r.errors?.map((e) => e.message)).toEqual([expect.stringMatching(/circuit open/), expect.stringMatching(/circuit open/)]);
    expect(cinder.calls.length).toBe(before);
  });

  it('an upstream that refuses connections opens its circuit even when a single caller is asking', async () => {
    const { f, cinder } = await setup(() => false);
    await cinder.close();
    sims = sims.filter((s) => s !== cinder);
    for (let i = 0; i < 10; i++) {
      const r = await f.gql('{ groups(first: 3) { nodes { id } } }', undefined, { token: 'solo' });
      expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    }
    expect((await circuits(f)).cinder).toBe('open');
  });
});

describe('circuit breaker, per caller, with Keystone', () => {
  /** A Keystone that takes `<user>-<n>` as a token of user `<user>`: many tokens of one person. `evil…`: 500. */
  async function keystone(): Promise<string> {
    const server = createServer((req, res) => {
      const token = String(req.headers['x-subject-token'] ?? '');
      if (token.startsWith('evil')) return void res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      const user = token.split('-')[0]!;
      const body = { token: { user: { id: `id-${user}`, name: user }, project: { id: PROJECT, name: 'demo' }, roles: [{ name: 'member' }], expires_at: new Date(Date.now() + 3_600_000).toISOString(), catalog: [] } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
  }

  /**
   * A Keystone in catalog mode: `<user>@<project>` is a token of user `<user>` in project `<project>` (hex), whose
   * catalog points at `cinderOrigin/v3/<project>`.
   */
  async function projectsKeystone(cinderOrigin: string): Promise<string> {
    const server = createServer((req, res) => {
      const [user, project] = String(req.headers['x-subject-token'] ?? '').split('@') as [string, string];
      const cinder = { type: 'block-storage', name: 'cinderv3', id: 'c', endpoints: [{ id: 'e', interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: `${cinderOrigin}/v3/${project}` }] };
      const body = { token: { user: { id: `id-${user}`, name: user }, project: { id: project, name: `p-${project}` }, roles: [{ name: 'member' }], expires_at: new Date(Date.now() + 3_600_000).toISOString(), catalog: [cinder] } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
  }

  // Probe of 2026-12-07: three users of one project whose calls made Cinder answer 500 opened Cinder's circuit for
  // every project. Now they open their project's own; the host's needs three failing projects.
  it("three users of one project open that project's circuit, not Cinder's for the other projects", async () => {
    const sick = 'aaaa0000aaaa0000aaaa0000aaaa0000';
    const healthy = 'bbbb0000bbbb0000bbbb0000bbbb0000';
    const cinder = await serveSimulator(faultWhen(createCinderSimulator({ transitionMs: 20 }).handler, (req) => req.path.includes(sick)));
    sims = [cinder];
    f = await startFacade({ KEYSTONE_URL: await projectsKeystone(cinder.origin), SDRS_URL: 'http://127.0.0.1:9/v1/x' });
    const groups = '{ groups(first: 3) { nodes { id } } }';
    await f.ok(groups, undefined, { token: `zoe@${healthy}` });
    for (let i = 0; i < 12; i++) {
      const r = await f.gql(groups, undefined, { token: `user${i % 3}@${sick}` });
      expect(r.errors?.[0]?.extensions?.code, `request ${i}`).toMatch(/^UPSTREAM_(ERROR|UNAVAILABLE)$/);
    }
    expect((await circuits(f, false)).cinder).toBe('closed');
    const before = cinder.calls.length;
    const refused = await f.gql(groups, undefined, { token: `user7@${sick}` });
    expect(refused.errors?.[0]?.message).toMatch(/failing for your project's calls.*circuit open/);
    expect(cinder.calls.length).toBe(before);
    expect((await f.ok<any>(groups, undefined, { token: `zoe@${healthy}` })).groups.nodes).toBeDefined();
    expect(cinder.calls.length).toBeGreaterThan(before);
  });

  it("users of three failing projects still open Cinder's circuit for everyone", async () => {
    const projects = ['c0', 'c1', 'c2'].map((p) => p.padEnd(32, '0'));
    const cinder = await serveSimulator(faultWhen(createCinderSimulator({ transitionMs: 20 }).handler, (req) => projects.some((p) => req.path.includes(p))));
    sims = [cinder];
    f = await startFacade({ KEYSTONE_URL: await projectsKeystone(cinder.origin), SDRS_URL: 'http://127.0.0.1:9/v1/x' });
    const groups = '{ groups(first: 3) { nodes { id } } }';
    await f.ok(groups, undefined, { token: `zoe@${'dddd'.padEnd(32, '0')}` });
    for (let i = 0; i < 12; i++) await f.gql(groups, undefined, { token: `user${i % 3}@${projects[i % 3]}` });
    expect((await circuits(f, false)).cinder).toBe('open');
  });

  it("counts one person's many tokens as one caller: they cannot open the circuit for the others", async () => {
    const cinder = await serveSimulator(faultWhen(createCinderSimulator({ transitionMs: 20 }).handler, (req) => String(tokenOf(req)).startsWith('mallory-')));
    sims = [cinder];
    f = await startFacade({ KEYSTONE_URL: await keystone(), CINDER_URL: `${cinder.origin}/v3/${PROJECT}`, SDRS_URL: 'http://127.0.0.1:9/v1/x' });
    const groups = '{ groups(first: 3) { nodes { id } } }';
    await f.ok(groups, undefined, { token: 'alice-0' });
    for (let i = 0; i < 30; i++) {
      const r = await f.gql(groups, undefined, { token: `mallory-${i % 6}` });
      expect(r.errors?.[0]?.extensions?.upstream?.status, `request ${i}`).toBe(500);
    }
    expect((await circuits(f, false)).cinder).toBe('closed');
    expect((await f.ok<any>(groups, undefined, { token: 'bob-0' })).groups.nodes.length).toBeGreaterThan(0);
  });

  // Blamed on each token, three made-up ones from one client opened Keystone's circuit: a new user got 503
  // UPSTREAM_UNAVAILABLE (probe of 2026-12-07). Blamed on the client's address, as the door counts them.
  it("one client's made-up tokens that Keystone fails on cannot open Keystone's circuit for the others", async () => {
    f = await startFacade({ KEYSTONE_URL: await keystone(), CINDER_URL: 'http://127.0.0.1:9/v3/x', SDRS_URL: 'http://127.0.0.1:9/v1/x' });
    const viewer = '{ viewer { user { name } } }';
    await f.ok(viewer, undefined, { token: 'alice-0' });
    for (let i = 0; i < 12; i++) {
      const r = await f.gql(viewer, undefined, { token: `evil${i % 3}` });
      expect(r.errors?.[0]?.extensions?.code, `request ${i}: ${r.raw}`).toBe('UPSTREAM_ERROR');
    }
    const ready = (await (await request(`${f.app.server.url}/readyz`)).body.json()) as { open?: string[] };
    expect(ready.open ?? []).not.toContain('keystone');
    expect((await f.ok<any>(viewer, undefined, { token: 'bob-0' })).viewer.user.name).toBe('bob');
  });
});
