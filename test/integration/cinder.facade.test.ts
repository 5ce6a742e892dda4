// Facade behaviour over the Cinder simulator that only a simulator can show: upstream call counts, headers sent,
// nothing sent for hostile input, old-microversion gating, unreachable or unconfigured upstreams.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loopLoad } from '../../src/upstreams/roundTrips.js';
import { LIST_FILTERS_RETRY_MS } from '../../src/upstreams/cinder/loaders.js';
import { forgetListingCosts } from '../../src/upstreams/children.js';
import { CollectionSizes, collectionSizes } from '../../src/upstreams/loaders.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const NESTED = `query($n: Int) { groups(first: $n) { nodes {
  id name groupType { id name } volumeTypes { id name } volumes { id size group { id } }
  snapshots(first: 5) { totalCount nodes { id group { id } groupType { id } } } } } }`;

describe('Cinder upstream calls', () => {
  let f: Facade;
  const calls = () => f.app.simulators.cinder!.calls;
  /** As if Cinder's recent round trips had all taken `ms`: the planner reads ahead only for a distant one. */
  /** The demo project's size key of a collection: what any of its callers learnt of its cost. */
  const projectKey = (collection: string) => CollectionSizes.ofProject('cinder', collection, f.app.upstreams.cinder!.http.endpoint, { token: null, requestId: 'test' });
  const remoteCinder = (ms: number) => {
    for (let i = 0; i < 16; i++) f.app.upstreams.cinder!.http.roundTrips.record(ms);
  };

  // This test process's own load must not decide the plans asserted here: the facade reads as if idle.
  const busy = vi.spyOn(loopLoad, 'busy').mockReturnValue(0);

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x' }, { cinder: { transitionMs: 20, extraGroups: 60 } });
    await f.ok('{ groups(first: 1) { nodes { id } } }'); // version discovery happens once per process
  });
  afterAll(async () => {
    busy.mockRestore();
    await f.close();
  });

  it.each([1, 10, 60])('a page of %i groups with types, volumes and snapshots costs a flat number of calls', async (n) => {
    f.app.simulators.cinder!.resetCalls();
    const data = await f.ok<any>(NESTED, { n });
    expect(data.groups.nodes).toHaveLength(n);
    for (const g of data.groups.nodes) {
      expect(g.groupType).not.toBeNull();
      for (const v of g.volumes) expect(v.group.id).toBe(g.id);
      for (const s of g.snapshots.nodes) expect(s.group.id).toBe(g.id);
    }
    const list = calls().map((c) => `${c.method} ${c.url}`);
    // groups page + group types + volume types + volumes + group snapshots, whatever N is.
    expect(list.length, list.join('\n')).toBeLessThanOrEqual(5);
    expect(new Set(list).size, 'no request repeated').toBe(list.length);
  });

  it('a page of several groups costs one round trip: the linked listings go out with the page', async () => {
    const sim = f.app.simulators.cinder!;
    sim.setDelay(40); // every answer takes longer than sending the next call does
    remoteCinder(40);
    try {
      sim.resetCalls();
      const data = await f.ok<any>(NESTED, { n: 10 });
      expect(data.groups.nodes).toHaveLength(10);
      const waves = new Set(calls().map((c) => c.answeredBefore));
      expect(calls().length).toBeGreaterThanOrEqual(5);
      expect(waves.size, calls().map((c) => `${c.answeredBefore} ${c.url}`).join('\n')).toBe(1);
      // One group cannot use the shared listings (a filtered listing is cheaper): that page takes two round trips.
      sim.resetCalls();
      await f.ok<any>(NESTED, { n: 1 });
      expect(new Set(calls().map((c) => c.answeredBefore)).size).toBe(2);
    } finally {
      sim.setDelay(0);
    }
  });

  it('next door, the volumes of a page are read exactly after it; far away, a listing the page mostly uses goes with it', async () => {
    const sim = f.app.simulators.cinder!;
    const volumeUrls = () => calls().filter((c) => c.path.endsWith('/volumes/detail')).map((c) => decodeURIComponent(c.url));
    const q = '{ groups(first: 10) { nodes { id volumes { id group { id } } } } }';
    const whole = '{ groups(first: 100) { nodes { id volumes { id group { id } } } } }';
    // A caller of the project read all of it: how many groups it holds and its volume listing's size are known.
    await f.ok<any>(whole, undefined, { token: 'first-caller' });
    remoteCinder(0.2);
    sim.resetCalls();
    const near = await f.ok<any>(q);
    const ids = near.groups.nodes.map((g: any) => g.id);
    expect(volumeUrls()).toEqual([expect.stringContaining(`group_id=${JSON.stringify(ids)}`)]);
    remoteCinder(30);
    sim.resetCalls();
    // A caller with no guess for this page, far away: the page holds 10 of the project's 65 groups, so the
    // project's volume listing would be mostly thrown away. Not read ahead: the exact read after the page.
    const far = await f.ok<any>(q, undefined, { token: 'far-caller' });
    expect(volumeUrls()).toEqual([expect.stringContaining(`group_id=${JSON.stringify(ids)}`)]);
    expect(far).toEqual(near);
    // A page of the whole project uses all of it: far away, the full listing goes with the page.
    remoteCinder(40);
    sim.setDelay(40); // every answer takes longer than sending the next call does
    try {
      sim.resetCalls();
      const all = await f.ok<any>(whole, undefined, { token: 'far-caller-2' });
      for (const g of all.groups.nodes) for (const v of g.volumes) expect(v.group.id).toBe(g.id);
      const page = calls().find((c) => c.path.endsWith('/groups/detail'))!;
      const listing = calls().filter((c) => c.path.endsWith('/volumes/detail'));
      expect(listing.map((c) => c.url), calls().map((c) => `${c.answeredBefore} ${c.url}`).join('\n')).toEqual([expect.not.stringContaining('group_id=')]);
      expect(listing[0]!.answeredBefore, calls().map((c) => `${c.answeredBefore} ${c.url}`).join("\n")).toBe(page.answeredBefore);
    } finally {
      sim.setDelay(0);
    }
    // Short of CPU, the facade does not spend it on reading ahead, however far Cinder is.
    busy.mockReturnValue(0.95);
    try {
      sim.resetCalls();
      expect(await f.ok<any>(q, undefined, { token: 'busy-caller' })).toEqual(near);
      expect(volumeUrls()).toEqual([expect.stringContaining(`group_id=${JSON.stringify(ids)}`)]);
    } finally {
      busy.mockReturnValue(0);
    }
  });

  it('the same page again: the groups it held last time are the guess, and their exact volume read leaves with the page', async () => {
    const sim = f.app.simulators.cinder!;
    const volumeUrls = () => calls().filter((c) => c.path.endsWith('/volumes/detail')).map((c) => decodeURIComponent(c.url));
    const q = '{ groups(first: 10) { nodes { id volumes { id size group { id } } } } }';
    remoteCinder(30);
    const opts = { token: 'guessing-caller' };
    const first = await f.ok<any>(q, undefined, opts);
    const ids = first.groups.nodes.map((g: any) => g.id);
    sim.setDelay(40); // every answer takes longer than sending the next call does
    try {
      sim.resetCalls();
      expect(await f.ok<any>(q, undefined, opts)).toEqual(first);
    } finally {
      sim.setDelay(0);
    }
    // One round trip: the exact read of last time's groups was sent before the page was answered.
    expect(volumeUrls()).toEqual([expect.stringContaining(`group_id=${JSON.stringify(ids)}`)]);
    expect(new Set(calls().map((c) => c.answeredBefore)).size, calls().map((c) => `${c.answeredBefore} ${c.url}`).join('\n')).toBe(1);

    // The page changes under the guess (a new group comes first): the guess does not cover it, so the page's
    // groups are read exactly after it, and the answer is right.
    const types = await f.ok<any>('{ groups(first: 1) { nodes { groupType { id } volumeTypes { id } } } }');
    const { groupType, volumeTypes } = types.groups.nodes[0];
    const created = await f.ok<any>(
      'mutation($t: ID!, $v: [ID!]!) { createGroup(input: { name: "guess-breaker", groupTypeId: $t, volumeTypeIds: $v }) { group { id } } }',
      { t: groupType.id, v: volumeTypes.map((t: any) => t.id) },
    );
    const gid = created.createGroup.group.id;
    try {
      sim.resetCalls();
      const changed = await f.ok<any>(q, undefined, opts);
      const now = changed.groups.nodes.map((g: any) => g.id);
      expect(now).toContain(gid);
      expect(volumeUrls()).toEqual([
        expect.stringContaining(`group_id=${JSON.stringify(ids)}`),
        expect.stringContaining(`group_id=${JSON.stringify(now)}`),
      ]);
      expect(changed).toEqual(await f.ok<any>(q, undefined, { token: 'fresh-caller' }));
      for (const g of changed.groups.nodes) for (const v of g.volumes) expect(v.group.id).toBe(g.id);
    } finally {
      await f.gql('mutation($id: ID!) { deleteGroup(input: { id: $id }) { __typename } }', { id: gid });
    }
  });

  it('a project too large for one snapshot listing: the same page again sends its groups\' snapshot listings with the page', async () => {
    const sim = f.app.simulators.cinder!;
    const token = 'large-project-caller';
    // As if the project's group snapshot listing had been found over budget (a project with many snapshots).
    collectionSizes.record(projectKey('group_snapshots'), 100_000);
    const q = '{ groups(first: 10) { nodes { id snapshots(first: 5) { totalCount nodes { id group { id } } } } } }';
    const snapshotCalls = () => calls().filter((c) => c.path.endsWith('/group_snapshots/detail'));
    remoteCinder(30);
    sim.setDelay(40); // every answer takes longer than sending the next call does
    try {
      sim.resetCalls();
      const first = await f.ok<any>(q, undefined, { token });
      // No guess yet: one filtered listing per group, after the page.
      expect(snapshotCalls()).toHaveLength(10);
      expect(new Set(calls().map((c) => c.answeredBefore)).size).toBe(2);
      sim.resetCalls();
      expect(await f.ok<any>(q, undefined, { token })).toEqual(first);
      expect(snapshotCalls().map((c) => c.url).filter((u) => u.includes('group_id='))).toHaveLength(10);
      expect(new Set(calls().map((c) => c.answeredBefore)).size, calls().map((c) => `${c.answeredBefore} ${c.url}`).join('\n')).toBe(1);
    } finally {
      sim.setDelay(0);
      forgetListingCosts(projectKey('group_snapshots'));
    }
  });

  it('a prefetched listing serves a page shorter than asked for, and a later snapshot page is not prefetched', async () => {
    const sim = f.app.simulators.cinder!;
    const one = (await f.ok<any>('{ groups(first: 1) { nodes { name } } }')).groups.nodes[0].name;
    remoteCinder(30);
    // A project whose volume listing's cost is not known yet, nor how many groups it holds (what part of the
    // listing a page would use): the full listing is read ahead on a guess.
    forgetListingCosts(projectKey('volumes'));
    forgetListingCosts(projectKey('groups'));
    sim.resetCalls();
    const q = `query($name: String) { groups(first: 10, filter: { name: $name }) { nodes { id volumes { id group { id } } } } }`;
    const data = await f.ok<any>(q, { name: one });
    expect(data.groups.nodes).toHaveLength(1);
    const g = data.groups.nodes[0];
    for (const v of g.volumes) expect(v.group.id).toBe(g.id);
    // The full volume listing went out with the page and answered the one group: no filtered listing after it.
    const volumeUrls = calls().filter((c) => c.path.endsWith('/volumes/detail')).map((c) => c.url);
    expect(volumeUrls.filter((u) => u.includes('group_id='))).toHaveLength(0);
    expect(volumeUrls).toHaveLength(1);

    sim.resetCalls();
    const cursor = Buffer.from('m:00000000-0000-4000-8000-000000000000').toString('base64url');
    await f.gql(`query($a: String) { groups(first: 5) { nodes { id snapshots(first: 1, after: $a) { nodes { id } } } } }`, { a: cursor });
    expect(calls().filter((c) => c.path.endsWith('/group_snapshots/detail') && !c.url.includes('group_id='))).toHaveLength(0);
  });

  it('the groups of a page of snapshots cost one listing, not one show per group', async () => {
    f.app.simulators.cinder!.resetCalls();
    const d = await f.ok<any>('{ groupSnapshots(first: 20) { nodes { id group { id name } } } }', undefined, { token: 'snapshots-page' });
    const groups = new Set(d.groupSnapshots.nodes.map((s: any) => s.group.id));
    expect(groups.size).toBeGreaterThan(5);
    const paths = calls().map((c) => c.path.replace(/^\/v3\/[0-9a-f]+/, ''));
    expect(paths).toEqual(['/group_snapshots/detail', '/groups/detail']);
  });

  it('two groups read by id get their own volume listings: the project\'s listing is not probed, by any caller', async () => {
    // Two groups read by id (so their volume ids are not known): the one listing of groups that reads both tells
    // how many the project holds (65), and two of them would use 3 % of its volume listing. So even while that
    // listing's size is not known it is not probed (it used to be: 100 read, found over budget, thrown away);
    // each group gets its own filtered listing.
    const ids = (await f.ok<any>('{ groups(first: 2) { nodes { id } } }')).groups.nodes.map((g: any) => g.id);
    const q = `{ a: group(id: "${ids[0]}") { id volumes { id group { id } } } b: group(id: "${ids[1]}") { id volumes { id group { id } } } }`;
    const volumeCalls = () => calls().filter((c) => c.path.endsWith('/volumes/detail')).map((c) => decodeURIComponent(c.url));
    forgetListingCosts(projectKey('volumes'));
    forgetListingCosts(projectKey('groups'));
    f.app.simulators.cinder!.resetCalls();
    const d = await f.ok<any>(q, undefined, { token: 'sizes-A' });
    for (const g of [d.a, d.b]) for (const v of g.volumes) expect(v.group.id).toBe(g.id);
    expect(volumeCalls().filter((u) => !u.includes('group_id='))).toHaveLength(0);
    const filtered = volumeCalls().filter((u) => u.includes('group_id='));
    expect(filtered).toHaveLength(2);
    for (const id of ids) expect(filtered.some((u) => u.includes(`group_id=${id}`)), `${id} in ${filtered.join(' ')}`).toBe(true);
    f.app.simulators.cinder!.resetCalls();
    await f.ok(q, undefined, { token: 'sizes-A' });
    expect(volumeCalls().filter((u) => !u.includes('group_id='))).toHaveLength(0);
    expect(volumeCalls().filter((u) => u.includes('group_id='))).toHaveLength(2);
    // A size is the project's: another caller of the same project does not probe either (it reads with its own token).
    f.app.simulators.cinder!.resetCalls();
    await f.ok(q, undefined, { token: 'sizes-B' });
    expect(volumeCalls().filter((u) => !u.includes('group_id='))).toHaveLength(0);
    expect(calls().every((c) => c.headers['x-auth-token'] === 'sizes-B')).toBe(true);
  });

  it('the volumes of a page of a large project cost one listing per 50 groups, checked against the groups', async () => {
    // Even where a full listing would fit the budget of 2 groups, the exact listing of both reads less.
    const sim = f.app.simulators.cinder!;
    const q = '{ groups(first: 2) { nodes { id volumes { id } } } }';
    const truth = await f.ok<any>('{ groups(first: 2) { nodes { id } } }');
    const expected: Record<string, string[]> = {};
    for (const g of truth.groups.nodes) {
      const one = await f.ok<any>('query($id: ID!) { group(id: $id) { volumes { id } } }', { id: g.id });
      expected[g.id] = one.group.volumes.map((v: any) => v.id).sort();
    }
    sim.resetCalls();
    const d = await f.ok<any>(q, undefined, { token: 'sizes-A' });
    expect(Object.fromEntries(d.groups.nodes.map((g: any) => [g.id, g.volumes.map((v: any) => v.id).sort()]))).toEqual(expected);
    expect(calls().filter((c) => c.path.endsWith('/volumes/detail'))).toHaveLength(1);

  });

  it('totalCount is free when one page holds everything, and one summary listing otherwise', async () => {
    f.app.simulators.cinder!.resetCalls();
    const all = await f.ok<any>('{ groups(first: 1000) { totalCount nodes { id } pageInfo { hasNextPage } } }');
    expect(all.groups.pageInfo.hasNextPage).toBe(false);
    expect(all.groups.totalCount).toBe(all.groups.nodes.length);
    expect(f.app.simulators.cinder!.calls).toHaveLength(1);

    f.app.simulators.cinder!.resetCalls();
    const some = await f.ok<any>('{ groups(first: 3) { totalCount nodes { id } } }');
    expect(some.groups.totalCount).toBe(all.groups.totalCount);
    expect(f.app.simulators.cinder!.calls.map((c) => c.path.split('/').pop())).toEqual(['detail', 'groups']);
  });

  it('sends the negotiated microversion, the caller token and a request id on every call', async () => {
    f.app.simulators.cinder!.resetCalls();
    await f.ok('{ groups(first: 2) { nodes { id volumes { id } } } }', undefined, { token: 'token-A' });
    expect(calls().length).toBeGreaterThan(0);
    for (const c of calls()) {
      expect(c.headers['openstack-api-version']).toBe('volume 3.70');
      expect(c.headers['x-auth-token']).toBe('token-A');
      expect(c.headers['x-openstack-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
    }
  });

  it('keeps two tokens apart: nothing is shared between requests', async () => {
    f.app.simulators.cinder!.resetCalls();
    await f.ok('{ groups(first: 3) { nodes { id } } }', undefined, { token: 'token-A' });
    await f.ok('{ groups(first: 3) { nodes { id } } }', undefined, { token: 'token-B' });
    expect(calls().map((c) => c.headers['x-auth-token'])).toEqual(['token-A', 'token-B']);
  });

  it('Bearer tokens are forwarded as X-Auth-Token', async () => {
    f.app.simulators.cinder!.resetCalls();
    const { request } = await import('undici');
    const res = await request(f.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok-C' },
      body: JSON.stringify({ query: '{ groups(first: 1) { nodes { id } } }' }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    expect(calls()[0]?.headers['x-auth-token']).toBe('tok-C');
  });

  it.each(['../../x', '..', 'a/b', '%2e%2e', 'x'.repeat(200), 'id with space', 'a?b=c'])(
    'rejects the hostile id %j before any upstream call',
    async (id) => {
      f.app.simulators.cinder!.resetCalls();
      const r = await f.gql('query($id: ID!) { group(id: $id) { id } volume(id: $id) { id } }', { id });
      expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
      expect(calls()).toHaveLength(0);
    },
  );

  it('rejects a forged cursor and an oversized page before any upstream call', async () => {
    f.app.simulators.cinder!.resetCalls();
    const forged = Buffer.from('m:../../x').toString('base64url');
    const r1 = await f.gql('query($a: String) { groups(after: $a) { nodes { id } } }', { a: forged });
    const r2 = await f.gql('query($n: Int) { groups(first: $n) { nodes { id } } }', { n: 100_000 });
    expect(r1.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r2.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(calls()).toHaveLength(0);
  });

  it('a failing link is a field error with partial data, and other services are unaffected', async () => {
    const r = await f.gql('{ about { services { name mode } } protection: about { services { name } } groups(first: 1) { nodes { id } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data?.groups.nodes).toHaveLength(1);
  });
});

describe('Cinder that does not evaluate list filters', () => {
  it('the facade notices a short answer (the groups list their volumes), reads per group, and stops trying for a while', async () => {
    const f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x' }, { cinder: { transitionMs: 20, extraGroups: 60 } });
    try {
      const sim = f.app.simulators.cinder!;
      const q = '{ groups(first: 2) { nodes { id volumes { id group { id } } } } }';
      const truth = await f.ok<any>(q, undefined, { token: 'reference' });
      expect(truth.groups.nodes.some((g: any) => g.volumes.length > 0)).toBe(true);
      // Such a Cinder compares '["a","b"]' with each group_id as one string: nothing matches. The guess from the
      // first read (same caller, same page) goes with the page and comes back empty; the exact read after the
      // page comes back empty too.
      sim.injectFault({ status: 200, json: { volumes: [] }, urlIncludes: 'group_id=%5B', times: 2 });
      sim.resetCalls();
      const d = await f.ok<any>(q, undefined, { token: 'reference' });
      expect(d).toEqual(truth);
      const urls = () => sim.calls.filter((c) => c.path.endsWith('/volumes/detail')).map((c) => decodeURIComponent(c.url));
      expect(urls().filter((u) => u.includes('group_id=['))).toHaveLength(2);
      expect(urls().filter((u) => /group_id=[0-9a-f]/.test(u))).toHaveLength(2);
      sim.resetCalls();
      expect(await f.ok<any>(q, undefined, { token: 'reference' })).toEqual(truth);
      expect(urls().filter((u) => u.includes('group_id=['))).toHaveLength(0);
      expect(urls().filter((u) => /group_id=[0-9a-f]/.test(u))).toHaveLength(2);
      // The verdict lapses: an empty answer can also be a race (the groups' volumes deleted in between).
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + LIST_FILTERS_RETRY_MS + 1_000);
      sim.resetCalls();
      expect(await f.ok<any>(q, undefined, { token: 'reference' })).toEqual(truth);
      expect(urls().filter((u) => u.includes('group_id=['))).toHaveLength(1);
      expect(urls().filter((u) => /group_id=[0-9a-f]/.test(u))).toHaveLength(0);
    } finally {
      vi.useRealTimers();
      await f.close();
    }
  });
});

describe('Cinder older than the facade needs', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x' }, { cinder: { maxVersion: '3.30', transitionMs: 20 } });
  });
  afterAll(() => f.close());

  it('caps the microversion at what the service advertises', async () => {
    f.app.simulators.cinder!.resetCalls();
    await f.ok('{ groups(first: 1) { nodes { id } } }');
    const sent = f.app.simulators.cinder!.calls.filter((c) => c.path.includes('/groups'));
    expect(sent[0]?.headers['openstack-api-version']).toBe('volume 3.30');
  });

  it('answers NOT_SUPPORTED for replication without sending the action', async () => {
    const { id } = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0];
    f.app.simulators.cinder!.resetCalls();
    const r = await f.gql('mutation($id: ID!) { enableGroupReplication(input: { id: $id }) { group { id } } }', { id });
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_SUPPORTED');
    expect(r.errors?.[0]?.message).toMatch(/needs Cinder API 3\.38; this Cinder supports up to 3\.30/);
    expect(f.app.simulators.cinder!.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});

describe('Cinder unreachable or not configured', () => {
  it('an unreachable Cinder gives UPSTREAM_UNAVAILABLE on its fields only', async () => {
    const f = await startFacade({ CINDER_URL: 'http://127.0.0.1:9/v3/8a1f2c3d4e5f40718293a4b5c6d7e8f9' });
    try {
      const r = await f.gql('{ about { services { name mode } } groups { nodes { id } } }');
      expect(r.status).toBe(200);
      expect(r.data?.about.services.map((s: any) => s.mode)).toEqual(['REAL', 'ABSENT', 'ABSENT']);
      expect(r.errors?.[0]).toMatchObject({ path: ['groups'], extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'cinder', status: 0 } } });
    } finally {
      await f.close();
    }
  });

  it('a Cinder that is neither configured nor simulated answers with a clear error, never simulated data', async () => {
    const f = await startFacade({ SDRS_URL: 'http://127.0.0.1:9/v1/x' });
    try {
      expect(f.app.simulators.cinder).toBeUndefined();
      const r = await f.gql('{ group(id: "8a1f2c3d-0000-4000-8000-000000000000") { id } }');
      expect(r.data).toEqual({ group: null });
      expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(r.errors?.[0]?.message).toMatch(/cinder service is not configured.*CINDER_URL/);
    } finally {
      await f.close();
    }
  });
});
