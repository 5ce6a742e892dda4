// The SDRS simulator's protected instances, replication pairs and DR drills: the three listings and their shows
// as the API reference describes them (keys, fields, filters, paging, count, not-found codes), and the group
// actions and deletes that read them (counters, preconditions, members following their group's jobs).
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SDRS_SEED_DRILLS as D,
  SDRS_SEED_GROUPS as G,
  SDRS_SEED_INSTANCES as I,
  SDRS_SEED_PAIRS as P,
  startSdrsSimulator,
} from '../../src/simulator/sdrs/index.js';

type Sim = Awaited<ReturnType<typeof startSdrsSimulator>>;
let sim: Sim;

interface Reply {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read arbitrary wire shapes
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await request(`${sim.endpoint}${path}`, {
    method: method as 'GET',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text === '' ? undefined : JSON.parse(text) };
}

const get = async (path: string) => {
  const r = await call('GET', path);
  expect(r.status, `${path}: ${JSON.stringify(r.json)}`).toBe(200);
  return r.json;
};
const ids = (items: { id: string }[]) => items.map((i) => i.id).sort();
const list = (ids: string[], quote = '"') => encodeURIComponent(`[${ids.map((i) => `${quote}${i}${quote}`).join(',')}]`);

async function waitIdle(groupId: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const g = (await get(`/server-groups/${groupId}`)).server_group;
    if (!['starting', 'stopping', 'failing-over', 'reversing', 'reprotecting', 'deleting'].includes(g.status)) return;
    if (Date.now() > deadline) throw new Error(`group stuck in ${g.status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeEach(async () => {
  sim = await startSdrsSimulator({ port: 0, jobStepMs: 20 });
});
afterEach(async () => {
  await sim.close();
});

describe('SDRS simulator: member listings', () => {
  it('list keys, item fields and count as the reference pages show them', async () => {
    const pi = await get('/protected-instances');
    expect(Object.keys(pi).sort()).toEqual(['count', 'protected_instances']);
    expect(pi.count).toBe(12);
    expect(Object.keys(pi.protected_instances[0]).sort()).toEqual([
      'attachment', 'created_at', 'description', 'id', 'metadata', 'name', 'priority_station', 'progress',
      'server_group_id', 'source_server', 'status', 'tags', 'target_server', 'updated_at',
    ]);
    const rp = await get('/replications');
    // The reference's key is `replications` (not `replication_pairs`).
    expect(Object.keys(rp).sort()).toEqual(['count', 'replications']);
    expect(rp.count).toBe(16);
    expect(Object.keys(rp.replications[0]).sort()).toEqual([
      'attachment', 'created_at', 'description', 'fault_level', 'id', 'name', 'priority_station', 'progress',
      'record_metadata', 'replication_model', 'replication_status', 'server_group_id', 'status', 'updated_at', 'volume_ids',
    ]);
    const dr = await get('/disaster-recovery-drills');
    expect(Object.keys(dr).sort()).toEqual(['count', 'disaster_recovery_drills']);
    expect(dr.count).toBe(5);
    expect(Object.keys(dr.disaster_recovery_drills[0]).sort()).toEqual([
      'created_at', 'drill_servers', 'drill_vpc_id', 'id', 'name', 'server_group_id', 'status', 'updated_at',
    ]);
  });

  it("every group's counters are counted from its members, and the members link up", async () => {
    for (const gid of Object.values(G)) {
      const g = (await get(`/server-groups/${gid}`)).server_group;
      const pis = await get(`/protected-instances?server_group_id=${gid}`);
      const rps = await get(`/replications?server_group_id=${gid}`);
      const drs = await get(`/disaster-recovery-drills?server_group_id=${gid}`);
      expect([pis.count, rps.count, drs.count]).toEqual([g.protected_instance_num, g.replication_num, g.disaster_recovery_drill_num]);
      for (const i of pis.protected_instances) {
        expect(i.priority_station).toBe(g.priority_station);
        for (const a of i.attachment) {
          const pair = rps.replications.find((p: any) => p.id === a.replication);
          expect(pair.attachment).toEqual([{ device: a.device, protected_instance: i.id }]);
        }
      }
      for (const p of rps.replications) expect(p.volume_ids).toMatch(/^[0-9a-f-]{36},[0-9a-f-]{36}$/);
      const instanceIds = new Set(pis.protected_instances.map((i: any) => i.id));
      for (const d of drs.disaster_recovery_drills) for (const s of d.drill_servers) expect(instanceIds.has(s.protected_instance)).toBe(true);
    }
    const erp = (await get(`/server-groups/${G.erpProd}`)).server_group;
    expect([erp.protected_instance_num, erp.replication_num, erp.disaster_recovery_drill_num]).toEqual([4, 6, 2]);
  });

  it('server_group_ids (either quote style, URL-encoded) wins over server_group_id; more than 30 ids is refused', async () => {
    const both = await get(`/replications?server_group_ids=${list([G.erpProd, G.hrPortal])}&server_group_id=${G.crmWeb}`);
    expect(both.count).toBe(8);
    expect(new Set(both.replications.map((p: any) => p.server_group_id))).toEqual(new Set([G.erpProd, G.hrPortal]));
    const single = await get(`/protected-instances?server_group_ids=${list([G.billingDb, 'not-a-group'], "'")}`);
    expect(ids(single.protected_instances)).toEqual([I.billingPrimary, I.billingReplica].sort());
    expect((await get(`/protected-instances?server_group_ids=${list([])}`)).count).toBe(0);
    const many = Array.from({ length: 31 }, (_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
    for (const path of [`/protected-instances?server_group_ids=${list(many)}`, `/replications?server_group_ids=${G.erpProd}`]) {
      const r = await call('GET', path);
      expect([r.status, r.json.error.code]).toEqual([400, 'SDRS.0201']);
    }
  });

  it('protected_instance_ids filters instances unless a group filter is given; pairs filter by instance', async () => {
    const two = await get(`/protected-instances?protected_instance_ids=${list([I.erpDb01, I.hrDb])}`);
    expect(ids(two.protected_instances)).toEqual([I.erpDb01, I.hrDb].sort());
    const ignored = await get(`/protected-instances?protected_instance_ids=${list([I.erpDb01])}&server_group_id=${G.crmWeb}`);
    expect(ignored.count).toBe(3);
    const ofOne = await get(`/replications?protected_instance_id=${I.erpApp01}`);
    expect(ids(ofOne.replications)).toEqual([P.erpApp01Sys, P.erpApp01Data].sort());
    const ofTwo = await get(`/replications?protected_instance_ids=${list([I.erpApp01, I.etlWorker])}&protected_instance_id=${I.hrDb}`);
    expect(ids(ofTwo.replications)).toEqual([P.erpApp01Sys, P.erpApp01Data, P.etlData01, P.etlData02].sort());
  });

  it('name (fuzzy), status, query_type, availability_zone and drill_vpc_id', async () => {
    expect(ids((await get('/protected-instances?name=ERP-APP')).protected_instances)).toEqual([I.erpApp01, I.erpApp02].sort());
    expect((await get('/replications?status=failed-over')).count).toBe(2);
    expect(ids((await get('/protected-instances?query_type=status_abnormal')).protected_instances)).toEqual([I.etlWorker]);
    expect((await get('/protected-instances?query_type=general')).count).toBe(12);
    // billing-db runs at its target (cn-north-4b); hr-portal was created the other way round and runs in 4b's twin.
    const inB = await get('/protected-instances?availability_zone=cn-north-4b');
    expect(ids(inB.protected_instances)).toEqual([I.billingPrimary, I.billingReplica].sort());
    const drills = await get('/disaster-recovery-drills');
    const vpc = drills.disaster_recovery_drills[0].drill_vpc_id;
    expect((await get(`/disaster-recovery-drills?drill_vpc_id=${vpc}&name=erp`)).count).toBe(2);
    expect((await get('/disaster-recovery-drills?drill_vpc_id=00000000-0000-4000-8000-000000000000')).count).toBe(0);
    const bad = await call('GET', '/replications?query_type=stop_protected');
    expect([bad.status, bad.json.error.code]).toEqual([400, 'SDRS.0201']);
  });

  it('pages by limit and offset, newest first, with the total in count; bad limit/offset are refused', async () => {
    const all = (await get('/replications')).replications.map((p: any) => p.id);
    const pages = [];
    for (let offset = 0; offset < all.length; offset += 5) {
      const page = await get(`/replications?limit=5&offset=${offset}`);
      expect(page.count).toBe(16);
      pages.push(...page.replications.map((p: any) => p.id));
    }
    expect(pages).toEqual(all);
    const created = (await get('/protected-instances')).protected_instances.map((i: any) => i.created_at);
    expect(created).toEqual([...created].sort().reverse());
    for (const [q, code] of [['limit=1001', 'SDRS.0221'], ['limit=-1', 'SDRS.0221'], ['offset=x', 'SDRS.0222']]) {
      const r = await call('GET', `/disaster-recovery-drills?${q}`);
      expect([r.status, r.json.error.code]).toEqual([400, code]);
    }
  });

  it('timestamps: pairs in ISO with Z (their page), instances and drills as the simulator is configured', async () => {
    const pair = (await get(`/replications/${P.erpDb01Sys}`)).replication;
    expect(pair.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const inst = (await get(`/protected-instances/${I.erpDb01}`)).protected_instance;
    expect(inst.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  });
});

describe('SDRS simulator: member shows', () => {
  it('answer under the singular keys; unknown ids are 400 with each kind\'s not-found code', async () => {
    expect((await get(`/protected-instances/${I.hrWeb}`)).protected_instance).toMatchObject({
      id: I.hrWeb, name: 'hr-portal-web', server_group_id: G.hrPortal, status: 'failed-over', priority_station: 'target',
      attachment: [{ replication: P.hrWebSys, device: '/dev/vda' }], metadata: {},
    });
    expect((await get(`/replications/${P.billingPrimaryWal}`)).replication).toMatchObject({
      id: P.billingPrimaryWal, replication_model: 'hypermetro', fault_level: '0', status: 'protected', replication_status: 'active',
      record_metadata: { multiattach: false, bootable: false, volume_size: 500, volume_type: 'SSD' },
    });
    expect((await get(`/disaster-recovery-drills/${D.legacy}`)).disaster_recovery_drill).toMatchObject({
      id: D.legacy, server_group_id: G.legacyArchive, status: 'available', drill_servers: [],
    });
    for (const [path, code] of [['protected-instances', 'SDRS.1320'], ['replications', 'SDRS.1608'], ['disaster-recovery-drills', 'SDRS.1902']]) {
      const r = await call('GET', `/${path}/${G.erpProd}`);
      expect([r.status, r.json.error.code]).toEqual([400, code]);
    }
  });

  it("another project's members are unknown; writes to member resources go nowhere (gateway 404)", async () => {
    const other = '5b1e3c7d9f0a4b2c8d6e4f1a3b5c7d9e';
    const res = await request(`${sim.origin}/v1/${other}/replications/${P.erpDb01Sys}`, { headers: { 'x-auth-token': `member:${other}` } });
    expect(res.statusCode).toBe(400);
    expect(((await res.body.json()) as any).error.code).toBe('SDRS.1608');
    const listOther = await request(`${sim.origin}/v1/${other}/protected-instances`, { headers: { 'x-auth-token': `member:${other}` } });
    expect(await listOther.body.json()).toEqual({ protected_instances: [], count: 0 });
    const del = await call('DELETE', `/protected-instances/${I.erpDb01}`);
    expect([del.status, del.json.error_code]).toEqual([404, 'APIGW.0101']);
  });
});

describe('SDRS simulator: groups and their members stay consistent', () => {
  it("a group's jobs move its instances and pairs with it (stop, then start)", async () => {
    expect((await call('POST', `/server-groups/${G.erpProd}/action`, { 'stop-server-group': {} })).status).toBe(200);
    const during = await get(`/replications?server_group_id=${G.erpProd}`);
    expect(new Set(during.replications.map((p: any) => p.status))).toEqual(new Set(['stopping']));
    await waitIdle(G.erpProd);
    const after = await get(`/protected-instances?server_group_id=${G.erpProd}`);
    expect(new Set(after.protected_instances.map((i: any) => i.status))).toEqual(new Set(['available']));
    const pairs = await get(`/replications?server_group_id=${G.erpProd}`);
    expect(new Set(pairs.replications.map((p: any) => p.replication_status))).toEqual(new Set(['active-stopped']));
    await call('POST', `/server-groups/${G.erpProd}/action`, { 'start-server-group': {} });
    await waitIdle(G.erpProd);
    const back = await get(`/replications?server_group_id=${G.erpProd}`);
    expect(back.replications.map((p: any) => [p.status, p.replication_status, p.progress])).toEqual(Array(6).fill(['protected', 'active', 100]));
  });

  it('enabling needs replication pairs and deleting needs an empty group: both read the members', async () => {
    const m = sim.state.members;
    for (const p of m.pairs.ofGroup(G.crmWeb)) m.pairs.remove(p.id);
    const start = await call('POST', `/server-groups/${G.crmWeb}/action`, { 'start-server-group': {} });
    expect([start.status, start.json.error.code]).toEqual([400, 'SDRS.1002']);
    expect((await get(`/server-groups/${G.crmWeb}`)).server_group.replication_num).toBe(0);
    const del1 = await call('DELETE', `/server-groups/${G.crmWeb}`);
    expect(del1.json.error.code).toBe('SDRS.1001');
    for (const i of m.instances.ofGroup(G.crmWeb)) m.instances.remove(i.id);
    expect((await call('DELETE', `/server-groups/${G.crmWeb}`)).json.error.code).toBe('SDRS.1003');
    for (const d of m.drills.ofGroup(G.crmWeb)) m.drills.remove(d.id);
    expect((await call('DELETE', `/server-groups/${G.crmWeb}`)).status).toBe(200);
  });

  it('an invalid protected instance blocks every action; a pair whose link is down (fault_level 5) blocks failover only', async () => {
    const inst = sim.state.members.instances.byId.get(I.billingReplica)!;
    inst.status = 'invalid';
    const stop = await call('POST', `/server-groups/${G.billingDb}/action`, { 'stop-server-group': {} });
    expect([stop.status, stop.json.error.code]).toEqual([400, 'SDRS.1314']);
    inst.status = 'protected';
    sim.state.members.pairs.byId.get(P.erpDb02Sys)!.fault_level = '5';
    const fo = await call('POST', `/server-groups/${G.erpProd}/action`, { 'failover-server-group': {} });
    expect([fo.status, fo.json.error.code]).toEqual([400, 'SDRS.1824']);
    expect((await get(`/replications?server_group_id=${G.erpProd}&query_type=status_abnormal`)).count).toBe(1);
    expect((await call('POST', `/server-groups/${G.erpProd}/action`, { 'stop-server-group': {} })).status).toBe(200);
  });
});
