// Protection-group members through the facade over the SDRS simulator: protected instances, replication pairs and
// DR drills as connections and lookups with their links, the upstream calls a page of groups costs (flat in the
// number of groups), later pages, a failing listing, and allowedActions against the documented preconditions.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SDRS_SEED_DRILLS as D,
  SDRS_SEED_GROUPS as G,
  SDRS_SEED_INSTANCES as I,
  SDRS_SEED_PAIRS as P,
  type SdrsDrillRecord,
  type startSdrsSimulator,
} from '../../src/simulator/sdrs/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

type SdrsSim = Awaited<ReturnType<typeof startSdrsSimulator>>;
const NO_CINDER = { CINDER_URL: 'http://127.0.0.1:9/v3/8a1f2c3d4e5f40718293a4b5c6d7e8f9' };
const EXTRA = 60;

const INSTANCE_FIELDS = `id name description status rawStatus progress sourceServerId targetServerId priorityStation
  productionServerId frozen tags { key value } createdAt updatedAt protectionGroupId`;
const PAIR_FIELDS = `id name description status rawStatus progress replicationStatus replicationModel volumeIds priorityStation
  faultLevel rawFaultLevel volumeSize volumeType bootable multiattach failureDetail createdAt updatedAt protectionGroupId
  device protectedInstanceId`;
const DRILL_FIELDS = 'id name status rawStatus drillVpcId createdAt updatedAt protectionGroupId';

/** Everything a group screen shows: the three member lists with their links, and what can be done. */
const MEMBERS = `allowedActions replicationNum
  protectedInstances { totalCount nodes { id status attachments { device replicationPair { id } } replicationPairs { id } } }
  replicationPairs { totalCount nodes { id status faultLevel protectedInstance { id name } } }
  drills { totalCount nodes { id status drillServers { drillServerId protectedInstance { id name } } } }`;

describe('SDRS members through the facade', () => {
  let f: Facade;
  const sim = () => f.app.simulators.sdrs as SdrsSim;
  const calls = () => sim().calls.map((c) => `${c.method} ${c.url.replace(`/v1/${sim().state.projectId}`, '')}`);
  /** How many round trips the calls took: calls sent before any of them was answered share one. */
  const roundTrips = () => new Set(sim().calls.map((c) => c.answeredBefore)).size;
  const trace = () => sim().calls.map((c) => `${c.answeredBefore} ${c.url}`).join('\n');

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'sdrs', ...NO_CINDER }, { sdrs: { jobStepMs: 30, extraGroups: EXTRA } });
  });
  afterAll(() => f.close());
  // Every answer takes longer than sending the next call does, so calls sent together share a round trip.
  beforeEach(() => sim().setDelay(20));
  afterEach(() => sim().setDelay(0));

  it("reads every field of a group's instances, pairs and drills, and their links, from one listing per kind", async () => {
    sim().resetCalls();
    const { protectionGroup: g } = await f.ok<any>(`query($id: ID!) { protectionGroup(id: $id) {
      protectedInstances { totalCount nodes { ${INSTANCE_FIELDS} attachments { device replicationPairId replicationPair { id name } }
        replicationPairs { id } protectionGroup { id } } }
      replicationPairs { totalCount nodes { ${PAIR_FIELDS} protectedInstance { id name } protectionGroup { id } } }
      drills { totalCount nodes { ${DRILL_FIELDS} drillServers { drillServerId protectedInstanceId protectedInstance { id name } } } }
    } }`, { id: G.erpProd });
    const p = sim().state.projectId;
    expect(calls().sort()).toEqual([
      `GET /disaster-recovery-drills?server_group_id=${G.erpProd}&limit=1000&offset=0`,
      `GET /protected-instances?server_group_id=${G.erpProd}&limit=1000&offset=0`,
      `GET /replications?server_group_id=${G.erpProd}&limit=1000&offset=0`,
      `GET /server-groups/${G.erpProd}`,
    ]);
    expect(p).toHaveLength(32);
    expect(roundTrips(), trace()).toBe(2);

    expect(g.protectedInstances.totalCount).toBe(4);
    const app01 = g.protectedInstances.nodes.find((n: any) => n.id === I.erpApp01);
    expect(app01).toMatchObject({
      name: 'erp-app-01', description: null, status: 'PROTECTED', rawStatus: 'protected', progress: 100,
      priorityStation: 'SOURCE', frozen: false, tags: [{ key: 'app', value: 'erp' }], protectionGroupId: G.erpProd,
      protectionGroup: { id: G.erpProd },
    });
    expect(app01.productionServerId).toBe(app01.sourceServerId);
    expect(app01.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(app01.attachments).toEqual([
      { device: '/dev/vda', replicationPairId: P.erpApp01Sys, replicationPair: { id: P.erpApp01Sys, name: 'erp-app-01-sys' } },
      { device: '/dev/vdb', replicationPairId: P.erpApp01Data, replicationPair: { id: P.erpApp01Data, name: 'erp-app-01-data' } },
    ]);
    expect(app01.replicationPairs.map((r: any) => r.id)).toEqual([P.erpApp01Sys, P.erpApp01Data]);

    expect(g.replicationPairs.totalCount).toBe(6);
    const data = g.replicationPairs.nodes.find((n: any) => n.id === P.erpApp01Data);
    expect(data).toMatchObject({
      name: 'erp-app-01-data', status: 'PROTECTED', rawStatus: 'protected', progress: 100, replicationStatus: 'active',
      replicationModel: 'hypermetro', priorityStation: 'SOURCE', faultLevel: 'NONE', rawFaultLevel: '0', volumeSize: 200,
      volumeType: 'SSD', bootable: false, multiattach: false, failureDetail: null, device: '/dev/vdb',
      protectedInstanceId: I.erpApp01, protectedInstance: { id: I.erpApp01, name: 'erp-app-01' }, protectionGroup: { id: G.erpProd },
    });
    expect(data.volumeIds).toHaveLength(2);

    expect(g.drills.totalCount).toBe(2);
    const q1 = g.drills.nodes.find((n: any) => n.id === D.erpQ1);
    expect(q1).toMatchObject({ name: 'erp-drill-2025q1', status: 'AVAILABLE', rawStatus: 'available', protectionGroupId: G.erpProd });
    expect(q1.drillServers.map((s: any) => s.protectedInstance)).toEqual([
      { id: I.erpApp01, name: 'erp-app-01' }, { id: I.erpDb01, name: 'erp-db-01' },
    ]);
  });

  it('a page of 10 groups with all three connections, their links and allowedActions costs 4 calls in 2 round trips', async () => {
    sim().resetCalls();
    const d = await f.ok<any>(`{ protectionGroups(first: 10) { nodes { id protectedInstanceNum disasterRecoveryDrillNum ${MEMBERS} } } }`);
    const groups = d.protectionGroups.nodes;
    expect(groups).toHaveLength(10);
    const urls = calls();
    expect(urls).toHaveLength(4);
    expect(urls[0]).toBe('GET /server-groups?limit=11&offset=0');
    // Instances and pairs: one listing for the 10 groups (server_group_ids takes 30).
    const ids = JSON.stringify(groups.map((g: any) => g.id));
    const byIds = (path: string) => urls.filter((u) => u.startsWith(`GET /${path}?`) && decodeURIComponent(u).includes(`server_group_ids=${ids}`));
    expect(byIds('protected-instances')).toHaveLength(1);
    expect(byIds('replications')).toHaveLength(1);
    // Drills filter by one group only: one listing of the project's drills, bounded at 50 per group.
    expect(urls).toContain('GET /disaster-recovery-drills?limit=501&offset=0');
    expect(roundTrips(), trace()).toBe(2);
    for (const g of groups) {
      expect(g.protectedInstances.totalCount).toBe(g.protectedInstanceNum);
      expect(g.replicationPairs.totalCount).toBe(g.replicationNum);
      expect(g.drills.totalCount).toBe(g.disasterRecoveryDrillNum);
      const pairIds = new Set(g.replicationPairs.nodes.map((p: any) => p.id));
      for (const i of g.protectedInstances.nodes) for (const r of i.replicationPairs) expect(pairIds.has(r.id)).toBe(true);
    }
    expect(groups.reduce((n: number, g: any) => n + g.replicationPairs.nodes.length, 0)).toBeGreaterThan(10);
  });

  // Before the over-budget tests below: the planner remembers a project's size for a minute.
  it('an SDRS without server_group_ids (400) still answers, from one listing of all pairs', async () => {
    sim().resetCalls();
    sim().injectFault({ status: 400, json: { error: { code: 'SDRS.0201', message: 'Invalid request parameters' } }, urlIncludes: 'server_group_ids' });
    const d = await f.ok<any>('{ protectionGroups(first: 5) { nodes { id replicationNum replicationPairs { totalCount } } } }');
    for (const g of d.protectionGroups.nodes) expect(g.replicationPairs.totalCount).toBe(g.replicationNum);
    expect(calls().slice(1).map((u) => u.split('&')[0])).toEqual(['GET /replications?server_group_ids=' + encodeURIComponent(JSON.stringify(d.protectionGroups.nodes.map((g: any) => g.id))), 'GET /replications?limit=251']);
  });

  it('a page of 50 groups costs 4 calls, not 1 + 3 x 50: one bounded listing per kind while it holds every member', async () => {
    sim().resetCalls();
    const d = await f.ok<any>(`{ protectionGroups(first: 50) { nodes { id allowedActions
      protectedInstances(first: 5) { totalCount nodes { id replicationPairs { id } } }
      replicationPairs(first: 5) { totalCount nodes { id protectedInstance { id } } }
      drills(first: 5) { totalCount nodes { id drillServers { protectedInstance { id } } } } } } }`);
    expect(d.protectionGroups.nodes).toHaveLength(50);
    // More groups than one server_group_ids listing takes (30): the project's whole listing, bounded at 50 members
    // per group (2,500 here), is one call and holds them all; were it over budget, the members would come from
    // two server_group_ids listings per kind (30 + 20 groups) instead.
    expect(calls().sort()).toEqual([
      'GET /disaster-recovery-drills?limit=1000&offset=0',
      'GET /protected-instances?limit=1000&offset=0',
      'GET /replications?limit=1000&offset=0',
      'GET /server-groups?limit=51&offset=0',
    ]);
    expect(roundTrips(), trace()).toBe(2);
  });

  it('over budget for a listing of the whole project, 50 groups read their pairs with two server_group_ids listings', async () => {
    const m = sim().state.members;
    const template = m.pairs.byId.get(P.erpDb01Sys)!;
    const noise = Array.from({ length: 2_600 }, () => ({ ...template, id: randomUUID(), server_group_id: randomUUID(), attachedTo: null }));
    noise.forEach((p) => m.pairs.add(p));
    try {
      const Q = '{ protectionGroups(first: 50) { nodes { id replicationNum replicationPairs(first: 5) { totalCount } } } }';
      sim().resetCalls();
      const d = await f.ok<any>(Q);
      for (const g of d.protectionGroups.nodes) expect(g.replicationPairs.totalCount).toBe(g.replicationNum);
      const listings = calls().slice(1).map((u) => decodeURIComponent(u));
      // The probe read the project's pairs up to the budget (2,500 + 1, in SDRS pages of 1,000) and found more;
      // then 30 + 20 groups by server_group_ids.
      expect(listings.map((u) => u.replace(/server_group_ids=\[[^\]]*\]/, 'server_group_ids=[…]')).sort()).toEqual([
        'GET /replications?limit=1000&offset=0', 'GET /replications?limit=1000&offset=1000', 'GET /replications?limit=501&offset=2000',
        'GET /replications?server_group_ids=[…]&limit=1000&offset=0', 'GET /replications?server_group_ids=[…]&limit=1000&offset=0',
      ].sort());
      sim().resetCalls();
      await f.ok(Q);
      // Known to be over budget now: no probe, just the two exact listings.
      expect(calls().slice(1).map((u) => decodeURIComponent(u).includes('server_group_ids='))).toEqual([true, true]);
    } finally {
      noise.forEach((p) => m.pairs.remove(p.id));
    }
  });

  it('later pages are one offset listing of the group around the cursor, with SDRS count as the total', async () => {
    const Q = `query($id: ID!, $a: String) { protectionGroup(id: $id) {
      replicationPairs(first: 4, after: $a) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { id } } } }`;
    const first = (await f.ok<any>(Q, { id: G.erpProd })).protectionGroup.replicationPairs;
    expect(first).toMatchObject({ totalCount: 6, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    sim().resetCalls();
    const second = (await f.ok<any>(Q, { id: G.erpProd, a: first.pageInfo.endCursor })).protectionGroup.replicationPairs;
    expect(second).toMatchObject({ totalCount: 6, pageInfo: { hasNextPage: false, hasPreviousPage: true } });
    expect([...first.nodes, ...second.nodes].map((n: any) => n.id).sort()).toEqual(
      [P.erpApp01Sys, P.erpApp01Data, P.erpApp02Sys, P.erpApp02Data, P.erpDb01Sys, P.erpDb02Sys].sort(),
    );
    // From five before the next position (4 - 5, so 0), five more past the page and the one after it (its last
    // cursor names it): the cursor's pair is found and the page goes on after it (resume.ts), in the one call.
    expect(calls()).toEqual([`GET /server-groups/${G.erpProd}`, `GET /replications?server_group_id=${G.erpProd}&limit=14&offset=0`]);
    const bad = await f.gql(Q, { id: G.erpProd, a: 'not-a-cursor!' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('protectedInstance, replicationPair and drill by id, with their links; unknown ids are null (SDRS answers 400)', async () => {
    sim().resetCalls();
    const d = await f.ok<any>(`query($i: ID!, $p: ID!, $d: ID!, $x: ID!) {
      protectedInstance(id: $i) { id name status protectionGroup { id name } replicationPairs { id device } }
      replicationPair(id: $p) { id protectedInstance { id } protectionGroup { id } }
      drill(id: $d) { id drillServers { protectedInstance { id } } protectionGroup { name } }
      a: protectedInstance(id: $x) { id } b: replicationPair(id: $x) { id } c: drill(id: $x) { id } }`,
    { i: I.hrDb, p: P.hrWebSys, d: D.hr, x: randomUUID() });
    expect(d.protectedInstance).toEqual({
      id: I.hrDb, name: 'hr-portal-db', status: 'FAILED_OVER', protectionGroup: { id: G.hrPortal, name: 'hr-portal-dr' },
      replicationPairs: [{ id: P.hrDbSys, device: '/dev/vda' }],
    });
    expect(d.replicationPair).toEqual({ id: P.hrWebSys, protectedInstance: { id: I.hrWeb }, protectionGroup: { id: G.hrPortal } });
    expect(d.drill).toEqual({ id: D.hr, drillServers: [{ protectedInstance: { id: I.hrWeb } }, { protectedInstance: { id: I.hrDb } }], protectionGroup: { name: 'hr-portal-dr' } });
    expect([d.a, d.b, d.c]).toEqual([null, null, null]);
    // The links of members of one group come from that group's listings: no show per linked member.
    const shows = calls().filter((u) => !u.includes('?'));
    expect(shows.filter((u) => u.startsWith('GET /server-groups/'))).toEqual([`GET /server-groups/${G.hrPortal}`]);
    expect(shows.filter((u) => /\/(protected-instances|replications|disaster-recovery-drills)\//.test(u))).toHaveLength(6);
  });

  it("a job naming a protected instance and a pair links to them, read with their group's listings", async () => {
    const jobId = 'ff8080828f3a61c00195a1b2c3d40099';
    sim().injectFault({
      status: 200,
      json: {
        status: 'SUCCESS', job_id: jobId, job_type: 'createProtectedInstanceNoCG', begin_time: '2025-06-01 10:00:00.000',
        end_time: '2025-06-01 10:02:00.000', error_code: null, fail_reason: null,
        entities: { server_group_id: G.erpProd, protected_instance_id: I.erpDb01, replication_pair_id: P.erpDb01Sys },
      },
      urlIncludes: `/jobs/${jobId}`,
    });
    sim().resetCalls();
    const { job } = await f.ok<any>(`query($id: ID!) { job(id: $id) { entities {
      protectedInstanceId protectedInstance { name } replicationPairId replicationPair { name device } } } }`, { id: jobId });
    expect(job.entities).toEqual({
      protectedInstanceId: I.erpDb01, protectedInstance: { name: 'erp-db-01' },
      replicationPairId: P.erpDb01Sys, replicationPair: { name: 'erp-db-01-sys', device: '/dev/vda' },
    });
    expect(calls().map((u) => u.split('?')[0]).sort()).toEqual([`GET /jobs/${jobId}`, 'GET /protected-instances', 'GET /replications']);
  });

  it('hostile ids are refused before any upstream call', async () => {
    sim().resetCalls();
    for (const field of ['protectedInstance', 'replicationPair', 'drill']) {
      const r = await f.gql(`query($id: ID!) { ${field}(id: $id) { id } }`, { id: '../server-groups' });
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(sim().calls).toHaveLength(0);
  });

  it('a listing SDRS cannot answer is an error at that field only; the groups and their other members still resolve', async () => {
    sim().resetCalls();
    sim().injectFault({ status: 500, json: { error: { code: 'SDRS.0006', message: 'internal' } }, urlIncludes: '/disaster-recovery-drills' });
    const r = await f.gql('{ protectionGroups(first: 3) { nodes { id drills { totalCount } protectedInstances { totalCount } } } }');
    // A 500 is not retried: the one drills listing of the page failed, once.
    expect(sim().calls.filter((c) => c.path.endsWith('/disaster-recovery-drills'))).toHaveLength(1);
    expect(r.data?.protectionGroups.nodes).toHaveLength(3);
    for (const g of r.data!.protectionGroups.nodes) {
      expect(g.drills).toBeNull();
      expect(g.protectedInstances.totalCount).toBeGreaterThanOrEqual(0);
    }
    expect(r.errors).toHaveLength(3);
    expect(r.errors![0]).toMatchObject({ path: ['protectionGroups', 'nodes', 0, 'drills'], extensions: { code: 'UPSTREAM_ERROR' } });
  });

  it('over budget, drills come from one listing per group, sent together; the next request skips the probe', async () => {
    const m = sim().state.members;
    const busy = randomUUID();
    const extra: SdrsDrillRecord[] = Array.from({ length: 120 }, (_, n) => ({
      id: randomUUID(), projectId: sim().state.projectId, name: `noise-${n}`, status: 'available', server_group_id: busy,
      drill_vpc_id: randomUUID(), drill_servers: [], createdAtMs: Date.now(), updatedAtMs: Date.now(),
    }));
    extra.forEach((x) => m.drills.add(x));
    try {
      const Q = '{ protectionGroups(first: 2) { nodes { id disasterRecoveryDrillNum drills { totalCount } } } }';
      sim().resetCalls();
      const d = await f.ok<any>(Q);
      for (const g of d.protectionGroups.nodes) expect(g.drills.totalCount).toBe(g.disasterRecoveryDrillNum);
      const ids = d.protectionGroups.nodes.map((g: any) => g.id);
      expect(calls().slice(1).sort()).toEqual([
        'GET /disaster-recovery-drills?limit=101&offset=0',
        ...ids.map((id: string) => `GET /disaster-recovery-drills?server_group_id=${id}&limit=1000&offset=0`),
      ].sort());
      sim().resetCalls();
      await f.ok(Q);
      expect(calls().slice(1).every((u) => u.includes('server_group_id='))).toBe(true);
      expect(calls()).toHaveLength(3);
      expect(roundTrips(), trace()).toBe(2);
    } finally {
      extra.forEach((x) => m.drills.remove(x.id));
    }
  });
});

describe('allowedActions against the documented preconditions', () => {
  let f: Facade;
  const sim = () => f.app.simulators.sdrs as SdrsSim;
  const Q = 'query($id: ID!) { protectionGroup(id: $id) { status allowedActions } }';
  const actions = async (id: string) => (await f.ok<any>(Q, { id })).protectionGroup.allowedActions;
  const undo: (() => void)[] = [];

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'sdrs', ...NO_CINDER }, { sdrs: { jobStepMs: 30 } });
  });
  afterEach(() => undo.splice(0).forEach((u) => u()));
  afterAll(() => f.close());

  it('seeded groups: no START_PROTECTION without pairs, DELETE only for an empty group, nothing while a job runs', async () => {
    sim().resetCalls();
    expect(await actions(G.sandboxEmpty)).toEqual(['DELETE']);
    // No member listing for a group whose counters already answer.
    expect(sim().calls.map((c) => c.path.split('/').pop())).toEqual([G.sandboxEmpty]);
    expect(await actions(G.legacyArchive)).toEqual([]);
    expect(await actions(G.crmWeb)).toEqual(['START_PROTECTION']);
    expect(await actions(G.erpProd)).toEqual(['STOP_PROTECTION', 'FAILOVER', 'REVERSE']);
    expect(await actions(G.hrPortal)).toEqual(['REPROTECT']);
    expect(await actions(G.analyticsEtl)).toEqual(['START_PROTECTION']);
  });

  it('a group whose pairs are gone: START_PROTECTION disappears, and SDRS refuses it as CONFLICT', async () => {
    const m = sim().state.members;
    const pairs = m.pairs.ofGroup(G.crmWeb);
    pairs.forEach((p) => m.pairs.remove(p.id));
    undo.push(() => pairs.forEach((p) => m.pairs.add(p)));
    expect(await actions(G.crmWeb)).toEqual([]);
    const r = await f.gql('mutation($id: ID!) { startProtection(input: { id: $id }) { jobId } }', { id: G.crmWeb });
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', upstream: { code: 'SDRS.1002' } } });
  });

  it('a pair whose replication link is down: no FAILOVER (SDRS refuses it as CONFLICT), stop and reverse still offered', async () => {
    const pair = sim().state.members.pairs.byId.get(P.erpDb02Sys)!;
    pair.fault_level = '5';
    undo.push(() => (pair.fault_level = '0'));
    expect(await actions(G.erpProd)).toEqual(['STOP_PROTECTION', 'REVERSE']);
    const d = await f.ok<any>(`query($id: ID!) { replicationPair(id: $id) { faultLevel rawFaultLevel } }`, { id: P.erpDb02Sys });
    expect(d.replicationPair).toEqual({ faultLevel: 'REPLICATION_LINK_DOWN', rawFaultLevel: '5' });
    const r = await f.gql('mutation($id: ID!) { failoverProtectionGroup(input: { id: $id }) { jobId } }', { id: G.erpProd });
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', upstream: { code: 'SDRS.1824' } } });
  });

  it('an INVALID protected instance (its server deleted outside SDRS): no action at all, and SDRS refuses as CONFLICT', async () => {
    const inst = sim().state.members.instances.byId.get(I.billingReplica)!;
    inst.status = 'invalid';
    undo.push(() => (inst.status = 'protected'));
    expect(await actions(G.billingDb)).toEqual([]);
    const d = await f.ok<any>(`query($id: ID!) { protectedInstance(id: $id) { status rawStatus } }`, { id: I.billingReplica });
    expect(d.protectedInstance).toEqual({ status: 'INVALID', rawStatus: 'invalid' });
    const r = await f.gql('mutation($id: ID!) { stopProtection(input: { id: $id }) { jobId } }', { id: G.billingDb });
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', upstream: { code: 'SDRS.1314' } } });
  });

  it('counters SDRS leaves out are counted from the listings', async () => {
    const g = sim().state.renderGroup(sim().state.groups.get(G.crmWeb)!);
    sim().injectFault({
      status: 200, json: { server_group: { ...g, replication_num: null, protected_instance_num: null, disaster_recovery_drill_num: null } },
      urlIncludes: `/server-groups/${G.crmWeb}`,
    });
    sim().resetCalls();
    expect(await actions(G.crmWeb)).toEqual(['START_PROTECTION']);
    expect(sim().calls.map((c) => c.path.split('/').at(-1)).sort()).toEqual(['disaster-recovery-drills', 'protected-instances', 'replications', G.crmWeb].sort());
  });

  it('after a write the payload reads the group and its members afresh: stop moves every instance', async () => {
    const d = await f.ok<any>(`mutation($id: ID!) { stopProtection(input: { id: $id, waitSeconds: 10 }) {
      protectionGroup { status allowedActions protectedInstances { nodes { status } } replicationPairs { nodes { replicationStatus } } } } }`,
    { id: G.billingDb });
    const g = d.stopProtection.protectionGroup;
    expect(g.status).toBe('AVAILABLE');
    expect(g.allowedActions).toEqual(['START_PROTECTION']);
    expect(new Set(g.protectedInstances.nodes.map((n: any) => n.status))).toEqual(new Set(['AVAILABLE']));
    expect(new Set(g.replicationPairs.nodes.map((n: any) => n.replicationStatus))).toEqual(new Set(['active-stopped']));
    await f.ok(`mutation($id: ID!) { startProtection(input: { id: $id, waitSeconds: 10 }) { jobId } }`, { id: G.billingDb });
  });
});
