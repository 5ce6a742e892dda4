// Facade reads over the SDRS simulator: fields and timestamps, null for unknown ids, hostile input sent nowhere,
// offset paging that neither stops short nor loops, upstream call counts, and partial data when SDRS is down.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SDRS_SEED_GROUPS as G, SDRS_SEED_JOBS as J, createSdrsSimulator, type startSdrsSimulator } from '../../src/simulator/sdrs/index.js';
import { serveSimulator } from '../../src/simulator/server.js';
import { type Facade, startFacade } from '../helpers/facade.js';

type SdrsSim = Awaited<ReturnType<typeof startSdrsSimulator>>;
const NO_CINDER = { CINDER_URL: 'http://127.0.0.1:9/v3/8a1f2c3d4e5f40718293a4b5c6d7e8f9' };
const SEEDED = Object.keys(G).length;

const GROUP_FIELDS = `id name description status rawStatus protectionState allowedActions progress
  sourceAvailabilityZone targetAvailabilityZone productionAvailabilityZone domainId domainName priorityStation
  protectedInstanceNum replicationNum disasterRecoveryDrillNum protectedStatus replicationStatus healthStatus
  sourceVpcId targetVpcId testVpcId drType createdAt updatedAt protectionType replicationModel serverType`;

describe('SDRS reads', () => {
  let f: Facade;
  const sim = () => f.app.simulators.sdrs as SdrsSim;
  const calls = () => sim().calls.map((c) => `${c.method} ${c.url}`);

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'sdrs', ...NO_CINDER }, { sdrs: { jobStepMs: 50 } });
  });
  afterAll(() => f.close());

  it('reads every field of a protection group, timestamps as UTC ISO', async () => {
    const { protectionGroup: g } = await f.ok<any>(`query($id: ID!) { protectionGroup(id: $id) { ${GROUP_FIELDS} } }`, { id: G.erpProd });
    expect(g).toMatchObject({
      id: G.erpProd,
      name: 'erp-prod-dr',
      status: 'PROTECTED',
      rawStatus: 'protected',
      protectionState: 'PROTECTED',
      allowedActions: ['STOP_PROTECTION', 'FAILOVER', 'REVERSE'],
      progress: 100,
      priorityStation: 'SOURCE',
      productionAvailabilityZone: 'cn-north-4a',
      protectedInstanceNum: 4,
      replicationNum: 6,
      disasterRecoveryDrillNum: 2,
      protectedStatus: 'started',
      replicationStatus: 'active',
      healthStatus: 'normal',
      drType: 'migration',
      serverType: 'ECS',
      protectionType: 'replication-pair',
      createdAt: '2024-11-04T08:12:31.402Z',
      updatedAt: '2025-04-18T02:40:09.117Z',
    });
  });

  it('derives the protection state from status alone when the status fields are null (created after an upgrade)', async () => {
    const d = await f.ok<any>(`{ a: protectionGroup(id: "${G.sandboxEmpty}") { status protectionState protectedStatus replicationStatus healthStatus allowedActions }
      b: protectionGroup(id: "${G.hrPortal}") { protectionState allowedActions priorityStation productionAvailabilityZone sourceAvailabilityZone }
      c: protectionGroup(id: "${G.analyticsEtl}") { status protectionState allowedActions } }`);
    // sandbox-empty has no replication pairs: SDRS would refuse to enable it, but it can be deleted.
    expect(d.a).toEqual({
      status: 'AVAILABLE', protectionState: 'NOT_PROTECTED', protectedStatus: null, replicationStatus: null, healthStatus: null,
      allowedActions: ['DELETE'],
    });
    // hr-portal was created with source cn-north-4b and now runs at its target, cn-north-4a.
    expect(d.b).toEqual({
      protectionState: 'FAILED_OVER', allowedActions: ['REPROTECT'], priorityStation: 'TARGET',
      productionAvailabilityZone: 'cn-north-4a', sourceAvailabilityZone: 'cn-north-4b',
    });
    expect(d.c).toEqual({ status: 'ERROR_STARTING', protectionState: 'ERROR', allowedActions: ['START_PROTECTION'] });
  });

  it('an unknown group is null without an error, although SDRS answers HTTP 400 SDRS.1013', async () => {
    sim().resetCalls();
    const id = randomUUID();
    const r = await f.gql('query($id: ID!) { protectionGroup(id: $id) { id } }', { id });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ protectionGroup: null });
    expect(calls()).toEqual([`GET /v1/${sim().state.projectId}/server-groups/${id}`]);
  });

  it.each(['../x', '..', 'a/b', '%2e%2e', 'x'.repeat(200), 'id with space', 'a?b=c'])(
    'rejects the hostile id %j before any upstream call, on reads and on actions',
    async (id) => {
      sim().resetCalls();
      const r = await f.gql('query($id: ID!) { protectionGroup(id: $id) { id } job(id: $id) { id } }', { id });
      expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
      const m = await f.gql('mutation($id: ID!) { startProtection(input: { id: $id }) { jobId } }', { id });
      expect(m.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(calls()).toEqual([]);
    },
  );

  it('reads a finished job with its sub-jobs and group in two upstream calls', async () => {
    sim().resetCalls();
    const { job } = await f.ok<any>(`query($id: ID!) { job(id: $id) {
      id jobType status rawStatus finished beginTime endTime errorCode failReason
      entities { protectionGroupId volumeIds }
      protectionGroup { id name }
      subJobs { id jobType status finished protectionGroup { id name } entities { protectionGroupId } } } }`, { id: J.hrPortalFailover });
    expect(job).toMatchObject({
      id: J.hrPortalFailover, jobType: 'failoverProtectionGroupNoCG', status: 'SUCCESS', rawStatus: 'SUCCESS', finished: true,
      beginTime: '2025-05-20T03:50:41.930Z', endTime: '2025-05-20T03:51:58.256Z', errorCode: null, failReason: null,
      entities: { protectionGroupId: G.hrPortal, volumeIds: null },
      protectionGroup: { id: G.hrPortal, name: 'hr-portal-dr' },
    });
    expect(job.subJobs).toHaveLength(2);
    for (const s of job.subJobs) expect(s).toMatchObject({ status: 'SUCCESS', protectionGroup: { id: G.hrPortal } });
    const p = sim().state.projectId;
    expect(calls().sort()).toEqual([`GET /v1/${p}/jobs/${J.hrPortalFailover}`, `GET /v1/${p}/server-groups/${G.hrPortal}`]);
  });

  it('reads a failed job: FAIL with errorCode and failReason', async () => {
    const { job } = await f.ok<any>(`{ job(id: "${J.analyticsStartFailed}") { status finished errorCode failReason subJobs { status errorCode } } }`);
    expect(job).toMatchObject({ status: 'FAIL', finished: true, errorCode: 'SDRS.1027' });
    expect(job.failReason).toMatch(/could not start synchronization/);
    expect(job.subJobs).toEqual([{ status: 'FAIL', errorCode: 'SDRS.1027' }]);
  });

  it('an unknown job is null without an error', async () => {
    const r = await f.gql('{ job(id: "ff8080828f3a61c0ffffffffffff0000") { id } }');
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ job: null });
  });

  it.each([31, -1, 1000])('waitSeconds %i is BAD_USER_INPUT, nothing sent', async (w) => {
    sim().resetCalls();
    const r = await f.gql(`query($w: Int) { job(id: "${J.hrPortalFailover}", waitSeconds: $w) { id } }`, { w });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const m = await f.gql(`mutation($w: Int) { startProtection(input: { id: "${G.crmWeb}", waitSeconds: $w }) { jobId } }`, { w });
    expect(m.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(calls()).toEqual([]);
  });
});

describe('SDRS timestamps in ISO format', () => {
  it('parse to the same DateTime as the space-separated format', async () => {
    const f = await startFacade({ SIMULATE: 'sdrs', ...NO_CINDER }, { sdrs: { timestampFormat: 'iso' } });
    try {
      const { state } = f.app.simulators.sdrs as SdrsSim;
      const raw = state.renderGroup(state.groups.get(G.erpProd)!);
      expect(raw.created_at).toBe('2024-11-04T08:12:31.402Z');
      const d = await f.ok<any>(`{ protectionGroup(id: "${G.erpProd}") { createdAt updatedAt } job(id: "${J.sandboxCreate}") { beginTime endTime } }`);
      expect(d.protectionGroup).toEqual({ createdAt: '2024-11-04T08:12:31.402Z', updatedAt: '2025-04-18T02:40:09.117Z' });
      expect(d.job).toEqual({ beginTime: '2025-06-02T09:30:00.125Z', endTime: '2025-06-02T09:30:14.871Z' });
    } finally {
      await f.close();
    }
  });
});

describe('SDRS paging', () => {
  const EXTRA = 13;
  let f: Facade;
  const sim = () => f.app.simulators.sdrs as SdrsSim;
  const PAGE = `query($n: Int, $a: String, $f: ProtectionGroupFilter) { protectionGroups(first: $n, after: $a, filter: $f) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { id name status protectionState priorityStation createdAt } } }`;

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'sdrs', ...NO_CINDER }, { sdrs: { extraGroups: EXTRA } });
  });
  afterAll(() => f.close());

  it('a small page size walks every group exactly once, with totalCount from SDRS count', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      sim().resetCalls();
      const { protectionGroups: c }: any = await f.ok(PAGE, { n: 3, a: after });
      expect(sim().calls, 'one upstream call per page').toHaveLength(1);
      expect(c.totalCount).toBe(SEEDED + EXTRA);
      expect(c.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...c.nodes.map((n: any) => n.id));
      pages++;
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
      expect(pages).toBeLessThan(20);
    }
    expect(seen).toHaveLength(SEEDED + EXTRA);
    expect(new Set(seen).size).toBe(SEEDED + EXTRA);
    expect(pages).toBe(Math.ceil((SEEDED + EXTRA) / 3));
  });

  it('sends offset and limit, and the filters in SDRS spelling', async () => {
    sim().resetCalls();
    const { protectionGroups: c }: any = await f.ok(PAGE, { n: 50, f: { status: 'FAILED_OVER' } });
    expect(c.nodes.length).toBeGreaterThan(0);
    for (const n of c.nodes) expect(n.status).toBe('FAILED_OVER');
    expect(c.totalCount).toBe(c.nodes.length);
    await f.ok(PAGE, { n: 2, f: { queryType: 'STATUS_ABNORMAL', name: 'etl', availabilityZone: 'cn-north-4a' } });
    const urls = sim().calls.map((c) => new URL(c.url, 'http://x').searchParams);
    expect(Object.fromEntries(urls[0]!)).toEqual({ status: 'failed-over', limit: '51', offset: '0' });
    expect(Object.fromEntries(urls[1]!)).toEqual({
      query_type: 'status_abnormal', name: 'etl', availability_zone: 'cn-north-4a', limit: '3', offset: '0',
    });
  });

  it('refuses status UNKNOWN as a filter and a forged cursor, sending nothing', async () => {
    sim().resetCalls();
    const r1 = await f.gql(PAGE, { n: 2, f: { status: 'UNKNOWN' } });
    const r2 = await f.gql(PAGE, { n: 2, a: Buffer.from('o:-5').toString('base64url') });
    const r3 = await f.gql(PAGE, { n: -1 });
    for (const r of [r1, r2, r3]) expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(sim().calls).toHaveLength(0);
  });

  it('asks again from the new offset when SDRS returns a short page while count says more exist', async () => {
    const state = sim().state;
    const all = (await f.ok<any>(PAGE, { n: 4 })).protectionGroups.nodes.map((n: any) => n.id);
    sim().resetCalls();
    sim().injectFault({ status: 200, json: { server_groups: [state.renderGroup(state.groups.get(all[0])!)], count: SEEDED + EXTRA }, methods: ['GET'] });
    const { protectionGroups: c }: any = await f.ok(PAGE, { n: 4 });
    expect(c.nodes.map((n: any) => n.id)).toEqual(all);
    const offsets = sim().calls.map((x) => new URL(x.url, 'http://x').searchParams);
    expect(offsets.map((q) => [q.get('offset'), q.get('limit')])).toEqual([['0', '5'], ['1', '4']]);
    expect(c.pageInfo.hasNextPage).toBe(true);
  });

  it('never loops: an upstream that ignores offset, or returns nothing while counting more, is an error', async () => {
    const state = sim().state;
    const one = state.renderGroup(state.groups.get(G.erpProd)!);
    sim().resetCalls();
    sim().injectFault({ status: 200, json: { server_groups: [one], count: 20 }, methods: ['GET'], times: 2 });
    const r1 = await f.gql(PAGE, { n: 5 });
    expect(r1.errors?.[0]).toMatchObject({ path: ['protectionGroups'], extensions: { code: 'UPSTREAM_ERROR' } });
    expect(sim().calls).toHaveLength(2);

    sim().resetCalls();
    sim().injectFault({ status: 200, json: { server_groups: [], count: 20 }, methods: ['GET'] });
    const r2 = await f.gql(PAGE, { n: 5 });
    expect(r2.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(r2.errors?.[0]?.message).toMatch(/counted 20 protection groups but returned none/);
    expect(sim().calls).toHaveLength(1);
  });

  it('a page of 1000 after a cursor asks SDRS for at most 1000 at once (its limit is 0-1000)', async () => {
    const all = (await f.ok<any>(PAGE, { n: 1000 })).protectionGroups;
    const after = (await f.ok<any>(PAGE, { n: 1 })).protectionGroups.pageInfo.endCursor;
    sim().resetCalls();
    // Before: the read around the cursor asked limit=1006 and SDRS refused it (SDRS.0221).
    const { protectionGroups: c }: any = await f.ok(PAGE, { n: 1000, a: after });
    expect(c.nodes.map((n: any) => n.id)).toEqual(all.nodes.slice(1).map((n: any) => n.id));
    for (const call of sim().calls) expect(Number(new URL(call.url, 'http://x').searchParams.get('limit'))).toBeLessThanOrEqual(1000);
  });

  it('a page past the end is empty, not an error', async () => {
    const { protectionGroups: c }: any = await f.ok(PAGE, { n: 5, a: Buffer.from(`o:${SEEDED + EXTRA + 10}`).toString('base64url') });
    expect(c.nodes).toEqual([]);
    expect(c.pageInfo.hasNextPage).toBe(false);
  });

  it.each([1, 10, 20])('a page of %i groups with every field costs one call, plus one listing per member kind allowedActions reads', async (n) => {
    sim().resetCalls();
    const d = await f.ok<any>(`query($n: Int) { protectionGroups(first: $n) { totalCount edges { cursor node { ${GROUP_FIELDS} } } nodes { id } } }`, { n });
    expect(d.protectionGroups.nodes).toHaveLength(n);
    const paths = sim().calls.map((c) => `${c.method} ${c.path.split('/').pop()}`);
    // The newest group alone (sandbox-empty: no members) needs no listing; a page with members needs the instances
    // (an INVALID one blocks every action) and the pairs (a link down blocks FAILOVER) of all its groups at once.
    expect(paths).toEqual(n === 1 ? ['GET server-groups'] : ['GET server-groups', 'GET protected-instances', 'GET replications']);
    for (const c of sim().calls.slice(1)) expect(new URL(c.url, 'http://x').searchParams.get('server_group_ids')).not.toBeNull();
  });
});

describe('SDRS pages of 1000 in a project of 2,500 groups', () => {
  const PAGE = `query($a: String) { protectionGroups(first: 1000, after: $a) { pageInfo { hasNextPage endCursor } nodes { id } } }`;
  // With a count (as SDRS sends one), and without (the client allows an SDRS that sends none).
  it.each([true, false])('count sent: %s; each page is whole, says whether more follow, and costs one call when it can', async (withCount) => {
    const sim = createSdrsSimulator({ extraGroups: 2_500 - SEEDED });
    const server = await serveSimulator(async (req) => {
      const out = await sim.handler(req);
      if (!withCount && out.json && typeof out.json === 'object') delete (out.json as { count?: number }).count;
      return out;
    });
    const f = await startFacade({ SDRS_URL: `${server.origin}/v1/${sim.state.projectId}`, ...NO_CINDER });
    try {
      const listings = () => server.calls.filter((c) => c.path.endsWith('/server-groups')).length;
      const seen: string[] = [];
      let after: string | null = null;
      const calls: number[] = [];
      for (let page = 0; page < 3; page++) {
        server.resetCalls();
        const { protectionGroups: c }: any = await f.ok(PAGE, { a: after });
        calls.push(listings());
        seen.push(...c.nodes.map((n: any) => n.id));
        // Before: without a count, the first page said no more followed; the second held 995.
        expect(c.nodes.length, `page ${page}`).toBe(page < 2 ? 1000 : 500);
        expect(c.pageInfo.hasNextPage, `page ${page}`).toBe(page < 2);
        after = c.pageInfo.endCursor;
      }
      expect(new Set(seen).size).toBe(2_500);
      // The first page of 1000 in one call (with a count); a later one reads the items around its cursor too.
      if (withCount) expect(calls[0]).toBe(1);
    } finally {
      await f.close();
      await server.close();
      sim.state.dispose();
    }
  });
});

describe('SDRS down next to a working Cinder', () => {
  const Q = '{ groups(first: 2) { nodes { id name } } protectionGroups(first: 2) { totalCount nodes { id } } }';

  it('an SDRS answering 503 gives partial data: Cinder groups plus an error at protectionGroups', async () => {
    const f = await startFacade({ SIMULATE: 'cinder,sdrs', MANILA_URL: 'http://127.0.0.1:9/v2/x' });
    try {
      (f.app.simulators.sdrs as SdrsSim).injectFault({
        // times 2: a GET gets one retry for a 503; SDRS stays down for both attempts.
        status: 503, json: { error: { code: 'SDRS.0006', message: 'busy' } }, methods: ['GET'], times: 2,
      });
      const r = await f.gql(Q);
      expect(r.status).toBe(200);
      expect(r.data?.groups.nodes).toHaveLength(2);
      expect(r.data?.protectionGroups).toBeNull();
      expect(r.errors).toHaveLength(1);
      expect(r.errors?.[0]).toMatchObject({
        path: ['protectionGroups'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'sdrs', status: 503, code: 'SDRS.0006' } },
      });
    } finally {
      await f.close();
    }
  });

  it('an unreachable SDRS_URL gives partial data too', async () => {
    const f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/8a1f2c3d4e5f40718293a4b5c6d7e8f9' });
    try {
      const r = await f.gql(Q);
      expect(r.data?.groups.nodes).toHaveLength(2);
      expect(r.data?.protectionGroups).toBeNull();
      expect(r.errors?.[0]).toMatchObject({ path: ['protectionGroups'], extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'sdrs', status: 0 } } });
    } finally {
      await f.close();
    }
  });

  it('an SDRS that is not configured says so, and never answers with simulated data', async () => {
    const f = await startFacade({ SIMULATE: 'cinder', MANILA_URL: 'http://127.0.0.1:9/v2/x' });
    try {
      expect(f.app.simulators.sdrs).toBeUndefined();
      const r = await f.gql(`{ protectionGroup(id: "${G.erpProd}") { id } }`);
      expect(r.data).toEqual({ protectionGroup: null });
      expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(r.errors?.[0]?.message).toMatch(/sdrs service is not configured.*SDRS_URL/);
    } finally {
      await f.close();
    }
  });
});
