// Issue 16, beyond the shared scenarios: where endpoints come from (catalog, region, *_URL templates), Keystone
// failing, a service missing from a catalog, and a member's screens sending nothing Cinder or Manila refuse.
import { createServer as createHttpServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { CINDER_SCREEN, MANILA_SCREEN } from '../../bench/queries.js';
import { BETA_PROJECT, DEMO_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { closedPort } from '../helpers/ports.js';

const member = `member:${DEMO_PROJECT.id}`;
let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});
const storageCalls = (facade: Facade) =>
  (['cinder', 'manila', 'sdrs'] as const).reduce((n, s) => n + (facade.app.simulators[s]?.calls.length ?? 0), 0);

/** A port nothing listens on. */

describe('endpoints from the catalog', () => {
  it("about shows the caller's own endpoints, never those of the project the process was configured with", async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
    const beta = await f.ok<any>('{ about { services { name endpoint } } viewer { services { name endpoint } } }', undefined, { token: `member:${BETA_PROJECT.id}` });
    const endpoints = beta.about.services.map((s: any) => s.endpoint).filter(Boolean);
    expect(endpoints.length).toBeGreaterThan(0);
    for (const e of endpoints) expect(e).not.toContain(DEMO_PROJECT.id);
    expect(beta.about.services).toEqual(beta.viewer.services);
  });

  it("each catalog host's bulkhead holds UPSTREAM_MAX_CONNECTIONS calls in flight", async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', UPSTREAM_MAX_CONNECTIONS: '96' });
    await f.ok(`{ groups(first: 1) { nodes { id } } }`, undefined, { token: member });
    const hosts = [...f.app.identity.admission!.gate.clients.cinder.hosts().values()];
    expect(hosts).toHaveLength(1);
    expect(hosts[0]!.bulkhead.maxActive).toBe(96);
  });

  it('a service missing from the catalog answers UPSTREAM_UNAVAILABLE saying so; the others answer', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
    // This cloud's catalog lists no file-share service.
    delete f.app.identity.simulator!.state.regions[0]!.endpoints.manila;
    const r = await f.gql(`{ groups(first: 1) { nodes { id } } shareGroups(first: 1) { nodes { id } } }`, undefined, { token: member });
    expect(r.data?.groups.nodes).toHaveLength(1);
    expect(r.data?.shareGroups).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(r.errors?.[0]?.message).toMatch(/catalog has no manila service/);
    expect(f.app.simulators.manila!.calls).toHaveLength(0);
  });

  it('several regions without KEYSTONE_REGION are refused naming them; KEYSTONE_REGION picks one', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' }, { keystone: { extraRegion: 'RegionTwo' } });
    const r = await f.gql(`{ groups(first: 1) { nodes { id } } }`, undefined, { token: member });
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(r.errors?.[0]?.message).toMatch(/several regions \(RegionOne, RegionTwo\); set KEYSTONE_REGION/);
    expect(storageCalls(f)).toBe(0);
    await f.close();
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', KEYSTONE_REGION: 'RegionTwo' }, { keystone: { extraRegion: 'RegionTwo' } });
    expect((await f.ok(`{ groups(first: 1) { nodes { id } } }`, undefined, { token: member })).groups.nodes).toHaveLength(1);
  });

  it('a *_URL wins over the catalog, with {project_id} filled from the token', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
    const template = f.app.simulators.cinder!.endpoint.replace(DEMO_PROJECT.id, '{project_id}');
    const keystone = f.app.identity.keystoneUrl!;
    const sims = f.app;
    const g = await startFacade({ KEYSTONE_URL: keystone, CINDER_URL: template });
    try {
      const r = await g.ok(`{ viewer { services { name mode endpoint } } groups(first: 1) { nodes { id } } }`, undefined, { token: `member:${BETA_PROJECT.id}` });
      const cinder = r.viewer.services.find((s: { name: string }) => s.name === 'cinder');
      expect(cinder).toEqual({ name: 'cinder', mode: 'REAL', endpoint: template.replace('{project_id}', BETA_PROJECT.id) });
      expect(sims.simulators.cinder!.calls.some((c) => c.path.includes(`/v3/${BETA_PROJECT.id}/groups`))).toBe(true);
    } finally {
      await g.close();
    }
  });
});

describe('Keystone failing', () => {
  it('unreachable: UPSTREAM_UNAVAILABLE naming keystone, nothing sent to the storage services', async () => {
    f = await startFacade({ KEYSTONE_URL: `http://127.0.0.1:${await closedPort()}/v3`, SIMULATE: 'cinder' });
    const r = await f.gql(`{ groups { nodes { id } } }`, undefined, { token: member });
    expect(r.status).toBe(503);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'keystone' } });
    expect(storageCalls(f)).toBe(0);
  });

  it('a 5xx from Keystone: UPSTREAM_ERROR naming keystone, nothing sent to the storage services', async () => {
    const broken = createHttpServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 500, title: 'Internal Server Error', message: 'An unexpected error prevented the server from fulfilling your request.' } }));
    });
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', () => r()));
    try {
      f = await startFacade({ KEYSTONE_URL: `http://127.0.0.1:${(broken.address() as { port: number }).port}/v3`, SIMULATE: 'cinder' });
      const r = await f.gql(`{ groups { nodes { id } } }`, undefined, { token: member });
      expect(r.status).toBe(502);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { service: 'keystone', status: 500 } });
      expect(storageCalls(f)).toBe(0);
    } finally {
      broken.closeAllConnections();
      await new Promise<void>((r) => broken.close(() => r()));
    }
  });

  it('a refused token is remembered as refused: a client retrying with it costs Keystone one call, not one a try', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
    f.app.identity.simulator!.state.revoke(member);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await f.gql(`{ viewer { user { name } } }`, undefined, { token: member })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const metrics = await (await fetch(f.url.replace('/graphql', '/metrics'))).text();
    const validations = metrics.split('\n').filter((l) => l.startsWith('upstream_requests_total{service="keystone"') && l.includes('route="/auth/tokens"'));
    expect(validations).toEqual([expect.stringMatching(/status="40[14]"} 1$/)]);
    expect(storageCalls(f)).toBe(0);
  });

  it('a refused token is not remembered as valid: once revoked, the next request after the cache is refused', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', KEYSTONE_CACHE_SECONDS: '0' });
    expect((await f.ok(`{ viewer { user { name } } }`, undefined, { token: member })).viewer.user.name).toBe('member-demo');
    f.app.identity.simulator!.state.revoke(member);
    const r = await f.gql(`{ viewer { user { name } } }`, undefined, { token: member });
    expect(r.status).toBe(401);
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('a member sends nothing Cinder or Manila refuse to non-admins', () => {
  it.each([
    ['the Cinder screen', CINDER_SCREEN, { n: 10 }],
    ['the Manila screen', MANILA_SCREEN, { n: 10 }],
    ['every group-snapshot filter', `{ groupSnapshots(filter: { status: AVAILABLE, name: "x" }) { nodes { id } } }`, {}],
    ['share-group filters and sort', `{ shareGroups(filter: { status: AVAILABLE, nameContains: "d" }, sort: { key: NAME }) { nodes { id projectId project { id name } } } }`, {}],
    ['group details', `{ groups(first: 5) { nodes { id projectId project { name } replicationStatus groupType { name groupSpecs { key } } volumes { id } } } }`, {}],
  ])('%s', async (_, query, variables) => {
    f ??= await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
    const r = await f.gql(query, variables, { token: member });
    expect(r.errors, r.raw).toBeUndefined();
  });
});

describe('demo mode', () => {
  it('answers without a token as before, and knows a simulated user when one calls', async () => {
    f = await startFacade({});
    const anonymous = await f.ok(`{ viewer { user { name } roles } groups(first: 1) { nodes { id } } }`, undefined, { token: null });
    expect(anonymous.viewer).toEqual({ user: null, roles: [] });
    const beta = await f.ok(`{ viewer { project { name } } groups { nodes { id } } }`, undefined, { token: `member:${BETA_PROJECT.id}` });
    expect(beta).toEqual({ viewer: { project: { name: 'beta' } }, groups: { nodes: [] } });
  });
});
