// Facade behaviour over the Manila simulator that only a simulator can show: upstream call counts, headers sent,
// nothing sent for hostile input, paging against a capped server, old microversions, and the legacy
// consistency-group API end to end.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_IDS, startManilaSimulator } from '../../src/simulator/manila/index.js';
import { forgetListingCosts } from '../../src/upstreams/children.js';
import { CollectionSizes, collectionSizes } from '../../src/upstreams/loaders.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const OFF = { SDRS_URL: 'http://127.0.0.1:9/v1/x' };

const NESTED = `query($n: Int) { shareGroups(first: $n) { nodes {
  id name shareGroupType { id name } shareTypes { id name } shareNetwork { id name }
  shares { id shareGroup { id } shareType { id } }
  snapshots(first: 5) { totalCount nodes { id shareGroup { id } members { share { id } } } } } } }`;

const callLines = (f: Facade) => f.app.simulators.manila!.calls.map((c) => `${c.method} ${c.url}`);

describe('Manila upstream calls', () => {
  let f: Facade;
  const sim = () => f.app.simulators.manila!;

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'manila', ...OFF }, { manila: { transitionMs: 20, extraShareGroups: 60 } });
    await f.ok('{ shareGroups(first: 1) { nodes { id } } }'); // version discovery happens once per process
  });
  afterAll(() => f.close());

  it('the share groups of a page of snapshots cost one listing, not one show per group', async () => {
    sim().resetCalls();
    const d = await f.ok<any>('{ shareGroupSnapshots(first: 20) { nodes { id shareGroup { id name } } } }', undefined, {
      token: 'snapshots-page',
    });
    expect(new Set(d.shareGroupSnapshots.nodes.map((s: any) => s.shareGroup.id)).size).toBeGreaterThan(5);
    const paths = sim().calls.map((c) => c.path.replace(/^\/v2\/[0-9a-f]+/, ''));
    expect(paths.filter((p) => /^\/share-groups\/[0-9a-f-]{36}$/.test(p))).toEqual([]);
    // One listing (plus, at most, the request that proves a short page was the last; see manila/paging.ts).
    expect(paths.filter((p) => p === '/share-groups/detail').length).toBeLessThanOrEqual(2);
  });

  // A page of 1 reads its one group's listings; a page of 60 of the project's 65 uses nearly all of its listings.
  it.each([1, 60])('a page of %i share groups with types, network, shares and snapshots costs a flat number of calls', async (n) => {
    sim().resetCalls();
    const data = await f.ok<any>(NESTED, { n });
    expect(data.shareGroups.nodes).toHaveLength(n);
    for (const g of data.shareGroups.nodes) {
      expect(g.shareGroupType).not.toBeNull();
      expect(g.shareTypes.length).toBeGreaterThan(0);
      for (const s of g.shares) expect(s.shareGroup.id).toBe(g.id);
      for (const s of g.snapshots.nodes) expect(s.shareGroup.id).toBe(g.id);
    }
    const list = callLines(f);
    // groups page, group types, share types, networks, shares, snapshots (plus one end-of-list check each
    // for the unpaged-size listings), whatever N is.
    expect(list.length, list.join('\n')).toBeLessThanOrEqual(9);
    expect(new Set(list).size, 'no request repeated').toBe(list.length);
  });

  it('a page of 10 of the project\'s 65 share groups reads its groups\' shares and snapshots, not the project\'s', async () => {
    // The project's share and snapshot listings would be mostly thrown away (the page holds a sixth of its
    // groups): each group's own filtered listings instead, never the whole listing.
    sim().resetCalls();
    const data = await f.ok<any>(NESTED, { n: 10 }, { token: 'new-page-caller' });
    expect(data.shareGroups.nodes).toHaveLength(10);
    for (const g of data.shareGroups.nodes) {
      for (const s of g.shares) expect(s.shareGroup.id).toBe(g.id);
      for (const s of g.snapshots.nodes) expect(s.shareGroup.id).toBe(g.id);
    }
    const list = callLines(f);
    const children = list.filter((l) => /\/(shares|share-group-snapshots)\/detail/.test(l));
    expect(children.filter((l) => !l.includes('share_group_id=')), list.join('\n')).toEqual([]);
    expect(children, list.join('\n')).toHaveLength(20);
    expect(new Set(list).size, 'no request repeated').toBe(list.length);
  });

  it('a page of several share groups reloaded costs one round trip: the linked listings go out with the page', async () => {
    const screen = `query($n: Int) { shareGroups(first: $n) { nodes {
      id name shareGroupType { id name } shareTypes { id name } shares { id size shareGroup { id } }
      snapshots(first: 5) { totalCount nodes { id shareGroup { id } } } } } }`;
    // The caller read this page before (a new page's listings wait for it: the test above).
    await f.ok<any>(screen, { n: 10 }, { token: 'reloading-caller' });
    sim().setDelay(40); // every answer takes longer than sending the next call does
    try {
      sim().resetCalls();
      const data = await f.ok<any>(screen, { n: 10 }, { token: 'reloading-caller' });
      expect(data.shareGroups.nodes).toHaveLength(10);
      for (const g of data.shareGroups.nodes) for (const s of g.shares) expect(s.shareGroup.id).toBe(g.id);
      const lines = sim().calls.map((c) => `${c.answeredBefore} ${c.url}`).join('\n');
      // Every listing starts in the first wave. A listing that came back short of a limit above what this Manila
      // is known to return at once is followed by one read from the new offset (Manila caps pages silently).
      const first = sim().calls.filter((c) => !/[?&]offset=[1-9]/.test(c.url));
      const rest = sim().calls.filter((c) => /[?&]offset=[1-9]/.test(c.url));
      expect(first.length, lines).toBeGreaterThanOrEqual(5);
      expect(new Set(first.map((c) => c.answeredBefore)).size, lines).toBe(1);
      for (const c of rest) expect(first.map((x) => x.path), lines).toContain(c.path);
    } finally {
      sim().setDelay(0);
    }
  });

  it('a project too large for one share and one snapshot listing: the same page again sends its groups\' listings with the page', async () => {
    const token = 'large-manila-project';
    // As if the project's share and share group snapshot listings had been found over budget (a large project).
    const sizeKeys = ['shares', 'share_group_snapshots'].map((c) =>
      CollectionSizes.ofProject('manila', c, f.app.upstreams.manila!.http.endpoint, { token, requestId: 'test' }),
    );
    for (const key of sizeKeys) collectionSizes.record(key, 100_000);
    const q = '{ shareGroups(first: 10) { nodes { id shares { id shareGroup { id } } snapshots(first: 5) { totalCount nodes { id shareGroup { id } } } } } }';
    const perGroup = () => sim().calls.filter((c) => /[?&]share_group_id=/.test(c.url));
    // Round trips of the page and the per-group listings (a page is one call: Manila answers 10 share groups at once).
    const waves = () => new Set([...sim().calls.filter((c) => c.path.endsWith('/share-groups/detail')), ...perGroup()].map((c) => c.answeredBefore)).size;
    const lines = () => sim().calls.map((c) => `${c.answeredBefore} ${c.url}`).join('\n');
    sim().setDelay(40); // every answer takes longer than sending the next call does
    try {
      sim().resetCalls();
      const first = await f.ok<any>(q, undefined, { token });
      // No guess yet: one filtered listing per share group and collection, after the page.
      expect(perGroup(), lines()).toHaveLength(20);
      expect(waves(), lines()).toBe(2);
      sim().resetCalls();
      expect(await f.ok<any>(q, undefined, { token })).toEqual(first);
      // The same 20 listings, now sent with the page.
      expect(perGroup(), lines()).toHaveLength(20);
      expect(waves(), lines()).toBe(1);
      // Another page of this caller's is not guessed from it.
      sim().resetCalls();
      const after = Buffer.from('o:10').toString('base64url');
      await f.ok<any>(`{ shareGroups(first: 10, after: "${after}") { nodes { id shares { id } } } }`, undefined, { token });
      expect(perGroup(), lines()).toHaveLength(10);
      expect(waves(), lines()).toBe(2);
    } finally {
      sim().setDelay(0);
      sizeKeys.forEach(forgetListingCosts);
    }
    for (const g of (await f.ok<any>(q, undefined, { token })).shareGroups.nodes) {
      for (const s of g.shares) expect(s.shareGroup.id).toBe(g.id);
      for (const s of g.snapshots.nodes) expect(s.shareGroup.id).toBe(g.id);
    }
  });

  it('totalCount is free when one page holds everything, and one summary listing otherwise', async () => {
    sim().resetCalls();
    const all = await f.ok<any>('{ shareGroups(first: 1000) { totalCount nodes { id } pageInfo { hasNextPage } } }');
    expect(all.shareGroups.pageInfo.hasNextPage).toBe(false);
    expect(all.shareGroups.totalCount).toBe(65);
    expect(sim().calls.every((c) => c.path.endsWith('/share-groups/detail')), callLines(f).join('\n')).toBe(true);

    sim().resetCalls();
    const some = await f.ok<any>('{ shareGroups(first: 3) { totalCount nodes { id } } }');
    expect(some.shareGroups.totalCount).toBe(65);
    // The page, then the summary listing (plus, at most, one request confirming where the listing ends).
    const paths = sim().calls.map((c) => c.path.split('/').pop());
    expect(paths[0]).toBe('detail');
    expect(paths.slice(1).length).toBeGreaterThanOrEqual(1);
    expect(paths.slice(1).length).toBeLessThanOrEqual(2);
    expect(paths.slice(1).every((p) => p === 'share-groups')).toBe(true);
  });

  it('sends the negotiated microversion, no experimental header at 2.73, the token and a request id on every call', async () => {
    sim().resetCalls();
    await f.ok('{ shareGroups(first: 2) { nodes { id shares { id } shareGroupType { id } } } }', undefined, { token: 'token-A' });
    expect(sim().calls.length).toBeGreaterThan(0);
    for (const c of sim().calls) {
      expect(c.headers['x-openstack-manila-api-version']).toBe('2.73');
      expect(c.headers['x-openstack-manila-api-experimental']).toBeUndefined();
      expect(c.headers['x-auth-token']).toBe('token-A');
      expect(c.headers['x-openstack-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
      // Hyphenated routes only, offsets computed by the facade, never Manila's marker.
      expect(c.url).not.toMatch(/share_groups|marker=/);
    }
  });

  it.each(['../../x', '..', 'a/b', '%2e%2e', 'x'.repeat(200), 'id with space', 'a?b=c'])(
    'rejects the hostile id %j before any upstream call',
    async (id) => {
      sim().resetCalls();
      const r = await f.gql('query($id: ID!) { shareGroup(id: $id) { id } shareGroupSnapshot(id: $id) { id } share(id: $id) { id } }', { id });
      expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
      const m = await f.gql('mutation($id: ID!) { deleteShareGroup(input: { id: $id }) { id } }', { id });
      expect(m.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(sim().calls).toHaveLength(0);
    },
  );

  it('rejects a forged cursor, a marker cursor and an oversized page before any upstream call', async () => {
    sim().resetCalls();
    for (const a of [Buffer.from('o:-1').toString('base64url'), Buffer.from('m:abc').toString('base64url'), '!!']) {
      const r = await f.gql('query($a: String) { shareGroups(after: $a) { nodes { id } } }', { a });
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      // Nor does a query whose nodes want linked listings start them before the cursor is refused.
      const nested = await f.gql('query($a: String) { shareGroups(first: 5, after: $a) { nodes { id shareGroupType { id } shareTypes { id } shares { id } } } }', { a });
      expect(nested.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const big = await f.gql('query($n: Int) { shareGroups(first: $n) { nodes { id } } }', { n: 100000 });
    expect(big.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(sim().calls).toHaveLength(0);
  });

  it('consistency-group fields and mutations fail fast with NOT_SUPPORTED and no upstream call', async () => {
    sim().resetCalls();
    const r = await f.gql(`{ consistencyGroups { nodes { id } } consistencyGroupSnapshots { nodes { id } }
      share(id: "${SEED_IDS.shareGroups.dbCluster}") { id } }`);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_SUPPORTED', 'NOT_SUPPORTED']);
    expect(r.errors?.[0]?.message).toMatch(/replaced them with share groups in API 2\.31.*Use shareGroup/);
    const m = await f.gql(`mutation { resetConsistencyGroupStatus(input: { id: "${SEED_IDS.shareGroups.dbCluster}", status: ERROR }) { consistencyGroup { id } } }`);
    expect(m.errors?.[0]?.extensions?.code).toBe('NOT_SUPPORTED');
    // Only the share(id) lookup reached Manila.
    expect(sim().calls.map((c) => c.path.split('/').slice(-2).join('/'))).toEqual([`shares/${SEED_IDS.shareGroups.dbCluster}`]);
  });

  it('a delete conflict is CONFLICT with a readable message, never a raw %(reason)s', async () => {
    const r = await f.gql(`mutation { deleteShareGroup(input: { id: "${SEED_IDS.shareGroups.dbCluster}" }) { id } }`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { service: 'manila', status: 409, code: 'conflictingRequest' } });
    expect(r.errors?.[0]?.message).toMatch(/cannot be deleted now: it must be AVAILABLE or ERROR and hold no shares and no snapshots/);
    expect(r.raw).not.toMatch(/%\(/);
  });
});

describe('Manila with a fresh process', () => {
  it('CG fields on a 2.31+ Manila cost only the version discovery', async () => {
    const f = await startFacade({ SIMULATE: 'manila', ...OFF }, { manila: { transitionMs: 20 } });
    try {
      const r = await f.gql(`{ consistencyGroup(id: "${SEED_IDS.consistencyGroups.legacyDb}") { id shares { id } } }`);
      expect(r.errors?.[0]?.extensions?.code).toBe('NOT_SUPPORTED');
      expect(callLines(f)).toEqual(['GET /']);
    } finally {
      await f.close();
    }
  });
});

/** A tiny proxy that caps every `limit` at 2, as a Manila with osapi_max_limit = 2 would. */
async function cappingProxy(target: string) {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', target);
      const limit = url.searchParams.get('limit');
      if (limit !== null) url.searchParams.set('limit', String(Math.min(2, Number(limit))));
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = { ...req.headers };
      delete headers.host;
      const up = await request(url, { method: req.method as 'GET', headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
      const body = await up.body.text();
      res.writeHead(up.statusCode, { 'content-type': String(up.headers['content-type'] ?? 'application/json') });
      res.end(body);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

describe('Manila that cuts pages short (osapi_max_limit below what the facade asks)', () => {
  it('a page never stops short, and 8 groups read 3 at a time come back once each', async () => {
    const sim = await startManilaSimulator({ transitionMs: 20, seed: false, extraShareGroups: 8 });
    const proxy = await cappingProxy(sim.origin);
    const f = await startFacade({ MANILA_URL: `${proxy.url}/v2/8a1f2c3d4e5f40718293a4b5c6d7e8f9`, ...OFF });
    try {
      const all = await f.ok<any>('{ shareGroups(first: 8) { nodes { id } pageInfo { hasNextPage } totalCount } }');
      expect(new Set(all.shareGroups.nodes.map((n: any) => n.id)).size).toBe(8);
      expect(all.shareGroups.pageInfo.hasNextPage).toBe(false);
      expect(all.shareGroups.totalCount).toBe(8);
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const d: any = await f.ok('query($a: String) { shareGroups(first: 3, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }', { a: after });
        expect(d.shareGroups.edges.length).toBe(seen.length < 6 ? 3 : 2);
        seen.push(...d.shareGroups.edges.map((e: any) => e.node.id));
        after = d.shareGroups.pageInfo.hasNextPage ? d.shareGroups.pageInfo.endCursor : null;
      } while (after);
      expect(seen.sort()).toEqual(all.shareGroups.nodes.map((n: any) => n.id).sort());
      // Every request asked for at most what the facade learned Manila returns at once.
      const limits = sim.calls.map((c) => new URL(c.url, 'http://x').searchParams.get('limit')).filter(Boolean);
      expect(limits.every((l) => Number(l) <= 2)).toBe(true);
    } finally {
      await f.close();
      await proxy.close();
      await sim.close();
    }
  });
});

describe('Manila between 2.31 and 2.54 (experimental share groups)', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'manila', ...OFF }, { manila: { maxVersion: '2.33', transitionMs: 20 } });
  });
  afterAll(() => f.close());

  it('caps the version at the service maximum and sends the experimental header to share-group calls', async () => {
    f.app.simulators.manila!.resetCalls();
    const d = await f.ok<any>('{ shareGroups(first: 2) { nodes { id availabilityZone consistentSnapshotSupport shareGroupType { id } } } }');
    expect(d.shareGroups.nodes[0]).toMatchObject({ availabilityZone: null, consistentSnapshotSupport: null });
    const sent = f.app.simulators.manila!.calls.filter((c) => c.path.includes('/share-group'));
    expect(sent.length).toBeGreaterThan(0);
    for (const c of sent) {
      expect(c.headers['x-openstack-manila-api-version']).toBe('2.33');
      expect(c.headers['x-openstack-manila-api-experimental']).toBe('True');
    }
  });

  it('refuses nameContains below 2.36 (Manila would silently ignore it) without listing', async () => {
    f.app.simulators.manila!.resetCalls();
    const r = await f.gql('{ shareGroups(filter: { nameContains: "db" }) { nodes { id } } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_SUPPORTED');
    expect(r.errors?.[0]?.message).toMatch(/need Manila API 2\.36; this Manila supports up to 2\.33/);
    expect(f.app.simulators.manila!.calls).toHaveLength(0);
  });
});

describe('legacy Manila (2.30): consistency groups end to end', () => {
  let f: Facade;
  const C = SEED_IDS.consistencyGroups;
  // Long enough that a create read back on a loaded machine is still `creating` (20 ms flaked under load).
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'manila', ...OFF }, { manila: { legacy: true, transitionMs: 5_000 } });
  });
  afterAll(() => f.close());

  it('lists consistency groups with shares, snapshots, members, types and network', async () => {
    f.app.simulators.manila!.resetCalls();
    const d = await f.ok<any>(`{ consistencyGroups { totalCount nodes { id name status shareTypes { name } shareNetwork { name }
      shares { name consistencyGroup { id } } snapshots { name members { share { name } } consistencyGroup { id } } } } }`);
    const db = d.consistencyGroups.nodes.find((g: any) => g.id === C.legacyDb);
    expect(d.consistencyGroups.totalCount).toBe(2);
    expect(db).toMatchObject({ name: 'legacy-db', status: 'AVAILABLE', shareTypes: [{ name: 'default_nfs' }], shareNetwork: { name: 'prod-net' } });
    expect(db.shares.map((s: any) => s.name).sort()).toEqual(['legacy-db-data', 'legacy-db-wal']);
    expect(db.shares.every((s: any) => s.consistencyGroup.id === C.legacyDb)).toBe(true);
    expect(db.snapshots).toEqual([
      { name: 'legacy-db-snap', consistencyGroup: { id: C.legacyDb }, members: expect.arrayContaining([{ share: { name: 'legacy-db-data' } }]) },
    ]);
    for (const c of f.app.simulators.manila!.calls.filter((x) => x.path !== '/')) {
      expect(c.headers['x-openstack-manila-api-version']).toBe('2.30');
      if (/consistency-groups|cgsnapshots|shares/.test(c.path)) expect(c.headers['x-openstack-manila-api-experimental']).toBe('True');
    }
  });

  it('creates, updates, resets, deletes and force-deletes consistency groups', async () => {
    const created = await f.ok<any>(`mutation($t: [ID!]) { createConsistencyGroup(input: { shareTypeIds: $t, name: "cg-new" }) {
      consistencyGroup { id name status shareTypes { id } } } }`, { t: [SEED_IDS.shareTypes.defaultNfs] });
    const cg = created.createConsistencyGroup.consistencyGroup;
    expect(cg).toMatchObject({ name: 'cg-new', status: 'CREATING', shareTypes: [{ id: SEED_IDS.shareTypes.defaultNfs }] });
    const upd = await f.ok<any>(`mutation($id: ID!) { updateConsistencyGroup(input: { id: $id, description: "d" }) { consistencyGroup { description } } }`, { id: cg.id });
    expect(upd.updateConsistencyGroup.consistencyGroup.description).toBe('d');
    const reset = await f.ok<any>(`mutation($id: ID!) { resetConsistencyGroupStatus(input: { id: $id, status: ERROR }) { consistencyGroup { status rawStatus } } }`, { id: cg.id });
    expect(reset.resetConsistencyGroupStatus.consistencyGroup).toEqual({ status: 'ERROR', rawStatus: 'error' });
    const del = await f.ok<any>(`mutation($id: ID!) { deleteConsistencyGroup(input: { id: $id }) { id consistencyGroup { status } } }`, { id: cg.id });
    expect(del.deleteConsistencyGroup.id).toBe(cg.id);
    if (del.deleteConsistencyGroup.consistencyGroup) expect(del.deleteConsistencyGroup.consistencyGroup.status).toBe('DELETING');

    const conflict = await f.gql(`mutation { deleteConsistencyGroup(input: { id: "${C.legacyDb}" }) { id } }`);
    expect(conflict.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const forced = await f.ok<any>(`mutation { forceDeleteConsistencyGroup(input: { id: "${C.legacyLogs}" }) { id consistencyGroup { id } } }`);
    expect(forced.forceDeleteConsistencyGroup).toEqual({ id: C.legacyLogs, consistencyGroup: null });
    const both = await f.gql(`mutation { createConsistencyGroup(input: { name: "x" }) { consistencyGroup { id } } }`);
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('share groups answer NOT_SUPPORTED, pointing to consistency groups, without calling Manila', async () => {
    f.app.simulators.manila!.resetCalls();
    const r = await f.gql('{ shareGroups { nodes { id } } shareGroupTypes { id } }');
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_SUPPORTED', 'NOT_SUPPORTED']);
    expect(r.errors?.[0]?.message).toMatch(/Share groups need Manila API 2\.31; this Manila supports up to 2\.30.*consistencyGroups/);
    expect(f.app.simulators.manila!.calls).toHaveLength(0);
  });
});
