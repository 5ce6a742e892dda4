// Issue 21, item 1: Cinder and Manila writes that wait for their outcome (`waitSeconds`, `settled`), on the
// simulators with a slow "volume service" (transitionMs), counting the upstream calls each write causes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { SEED_IDS } from '../../src/simulator/manila/seed.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const TRANSITION_MS = 700;

const sims = (f: Facade) => [f.app.simulators.cinder!, f.app.simulators.manila!];
const resetCalls = (f: Facade) => sims(f).forEach((s) => s.resetCalls());
const calls = (f: Facade) => sims(f).flatMap((s) => s.calls.map((c) => `${c.method} ${c.url.replace(/^.*\/v[23]\/[0-9a-f]+/, '')}`));
const readsOf = (f: Facade, path: string) => calls(f).filter((c) => c.startsWith(`GET ${path}`)).length;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

describe('waitSeconds on Cinder writes', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({}, { cinder: { transitionMs: TRANSITION_MS }, manila: { transitionMs: TRANSITION_MS } });
  });
  afterAll(() => f.close());

  const createSnapshot = (wait: number | null) =>
    f.ok<any>(
      `mutation($g: ID!, $w: Int) { createGroupSnapshot(input: { groupId: $g, name: "wait-test", waitSeconds: $w }) {
         settled groupSnapshot { id status } } }`,
      { g: SEED.groups.webTier, w: wait },
    );

  it('createGroupSnapshot with waitSeconds answers AVAILABLE and settled, after re-reading with backoff', async () => {
    resetCalls(f);
    const { value, ms } = await timed(() => createSnapshot(10));
    const out = value.createGroupSnapshot;
    expect(out.settled).toBe(true);
    expect(out.groupSnapshot.status).toBe('AVAILABLE');
    expect(ms).toBeGreaterThanOrEqual(TRANSITION_MS);
    expect(ms).toBeLessThan(TRANSITION_MS + 3_000);
    // One POST, never repeated; re-reads at about 0, 250, 750 ms: the third sees it AVAILABLE.
    expect(calls(f).filter((c) => c.startsWith('POST'))).toEqual(['POST /group_snapshots']);
    const reads = readsOf(f, `/group_snapshots/${out.groupSnapshot.id}`);
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(reads).toBeLessThanOrEqual(4);
  });

  it('waitSeconds 0 (and no waitSeconds) answers at once with the object as it stands, settled false', async () => {
    for (const wait of [0, null]) {
      resetCalls(f);
      const { value, ms } = await timed(() => createSnapshot(wait));
      const out = value.createGroupSnapshot;
      expect(out).toMatchObject({ settled: false, groupSnapshot: { status: 'CREATING' } });
      expect(ms).toBeLessThan(TRANSITION_MS);
      expect(readsOf(f, `/group_snapshots/${out.groupSnapshot.id}`)).toBe(1);
    }
  });

  it('a delete with waitSeconds answers settled true with no object once it is gone', async () => {
    const made = (await createSnapshot(10)).createGroupSnapshot.groupSnapshot.id;
    const quick = await f.ok<any>(`mutation($id: ID!) { deleteGroupSnapshot(input: { id: $id }) { id settled groupSnapshot { status } } }`, { id: made });
    expect(quick.deleteGroupSnapshot).toEqual({ id: made, settled: false, groupSnapshot: { status: 'DELETING' } });
    const again = (await createSnapshot(10)).createGroupSnapshot.groupSnapshot.id;
    const d = await f.ok<any>(
      `mutation($id: ID!) { deleteGroupSnapshot(input: { id: $id, waitSeconds: 10 }) { id settled groupSnapshot { status } } }`,
      { id: again },
    );
    expect(d.deleteGroupSnapshot).toEqual({ id: again, settled: true, groupSnapshot: null });
    const seen = await f.ok<any>(`query($id: ID!) { groupSnapshot(id: $id) { id } }`, { id: again });
    expect(seen.groupSnapshot).toBeNull();
  });

  it('a replication action waits for the replication status, not only the group status', async () => {
    const q = `mutation($id: ID!, $w: Int) { disableGroupReplication(input: { id: $id, waitSeconds: $w }) { settled group { status replicationStatus } } }`;
    const d = await f.ok<any>(q, { id: SEED.groups.dbClusterProd, w: 10 });
    expect(d.disableGroupReplication).toEqual({ settled: true, group: { status: 'AVAILABLE', replicationStatus: 'DISABLED' } });
    const e = await f.ok<any>(
      `mutation($id: ID!) { enableGroupReplication(input: { id: $id, waitSeconds: 0 }) { settled group { replicationStatus } } }`,
      { id: SEED.groups.dbClusterProd },
    );
    expect(e.enableGroupReplication).toEqual({ settled: false, group: { replicationStatus: 'ENABLING' } });
  });
});

describe('waitSeconds on Manila writes', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({}, { cinder: { transitionMs: TRANSITION_MS }, manila: { transitionMs: TRANSITION_MS } });
  });
  afterAll(() => f.close());

  it('createShareGroupSnapshot with waitSeconds answers AVAILABLE and settled; deleteShareGroup waits until it is gone', async () => {
    resetCalls(f);
    const c = await f.ok<any>(
      `mutation($g: ID!) { createShareGroupSnapshot(input: { shareGroupId: $g, waitSeconds: 10 }) { settled shareGroupSnapshot { id status } } }`,
      { g: SEED_IDS.shareGroups.dbCluster },
    );
    expect(c.createShareGroupSnapshot).toMatchObject({ settled: true, shareGroupSnapshot: { status: 'AVAILABLE' } });
    expect(calls(f).filter((x) => x.startsWith('POST'))).toEqual(['POST /share-group-snapshots']);
    const d = await f.ok<any>(
      `mutation($id: ID!) { deleteShareGroup(input: { id: $id, waitSeconds: 10 }) { id settled shareGroup { status } } }`,
      { id: SEED_IDS.shareGroups.emptyAvailable },
    );
    expect(d.deleteShareGroup).toEqual({ id: SEED_IDS.shareGroups.emptyAvailable, settled: true, shareGroup: null });
  });
});

describe('waitSeconds bounds', () => {
  let f: Facade;
  beforeAll(async () => {
    // The volume service never finishes within the test; the request deadline is what ends the wait.
    f = await startFacade({ REQUEST_DEADLINE_MS: '3000' }, { cinder: { transitionMs: 60_000 }, manila: { transitionMs: 60_000 } });
  });
  afterAll(() => f.close());

  const V = SEED.volume(4);
  const G = SEED.groups.webTier;
  const SG = SEED_IDS.shareGroups.dbCluster;
  // Every write that takes waitSeconds, with an input that is otherwise valid.
  const WRITES: [string, string][] = [
    ['createGroup', `groupTypeId: "${SEED.groupTypes.generic}", volumeTypeIds: ["${SEED.volumeTypes.hddStandard}"]`],
    ['createGroupFromSource', `sourceGroupId: "${G}"`],
    ['updateGroup', `id: "${G}", name: "x"`],
    ['deleteGroup', `id: "${G}"`],
    ['enableGroupReplication', `id: "${G}"`],
    ['disableGroupReplication', `id: "${G}"`],
    ['failoverGroupReplication', `id: "${G}"`],
    ['createGroupSnapshot', `groupId: "${G}"`],
    ['deleteGroupSnapshot', `id: "${SEED.groupSnapshots.webRelease}"`],
    ['createVolume', `size: 1`],
    ['deleteVolume', `id: "${V}"`],
    ['createShareGroup', `shareTypeIds: ["${SEED_IDS.shareTypes.defaultNfs}"]`],
    ['deleteShareGroup', `id: "${SG}"`],
    ['createShareGroupSnapshot', `shareGroupId: "${SG}"`],
    ['deleteShareGroupSnapshot', `id: "${SEED_IDS.shareGroupSnapshots.dbNightly}"`],
    ['createShare', `size: 1, shareProtocol: NFS, shareGroupId: "${SG}"`],
    ['deleteShare', `id: "${SEED_IDS.shareGroups.dbCluster}"`],
    ['createConsistencyGroup', `shareTypeIds: ["${SEED_IDS.shareTypes.defaultNfs}"]`],
    ['deleteConsistencyGroup', `id: "${SG}"`],
    ['createConsistencyGroupSnapshot', `consistencyGroupId: "${SG}"`],
    ['deleteConsistencyGroupSnapshot', `id: "${SG}"`],
  ];

  it('out-of-range waitSeconds is BAD_USER_INPUT before any upstream call, on every write that takes it', async () => {
    for (const [name, args] of WRITES) {
      for (const wait of [31, -1]) {
        resetCalls(f);
        const r = await f.gql(`mutation { ${name}(input: { ${args}, waitSeconds: ${wait} }) { settled } }`);
        expect(r.errors?.[0]?.extensions?.code, `${name} ${wait}: ${r.raw}`).toBe('BAD_USER_INPUT');
        expect(r.errors?.[0]?.message).toMatch(/waitSeconds/);
        expect(calls(f), name).toEqual([]);
      }
    }
  });

  it('the request deadline ends the wait: the answer comes in time with the object as it stands, unsettled', async () => {
    const { value, ms } = await timed(() =>
      f.ok<any>(`mutation($g: ID!) { createGroupSnapshot(input: { groupId: $g, waitSeconds: 30 }) { settled groupSnapshot { status } } }`, {
        g: SEED.groups.webTier,
      }),
    );
    expect(value.createGroupSnapshot).toEqual({ settled: false, groupSnapshot: { status: 'CREATING' } });
    // The wait stops a second before the 3 s deadline, to leave time for the answer.
    expect(ms).toBeGreaterThanOrEqual(1_500);
    expect(ms).toBeLessThan(3_000);
  });
});

describe('waitSeconds when Cinder fails during the wait', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({}, { cinder: { transitionMs: 60_000 } });
  });
  afterAll(() => f.close());

  it('answers the last reading, unsettled, without an error and without sending the write again', async () => {
    resetCalls(f);
    const pending = f.gql<any>(
      `mutation($g: ID!) { createGroupSnapshot(input: { groupId: $g, waitSeconds: 10 }) { settled groupSnapshot { status } } }`,
      { g: SEED.groups.webTier },
    );
    // Let the write and the first read through, then every Cinder call fails (5xx, retried as reads are).
    const sim = f.app.simulators.cinder!;
    for (let i = 0; i < 100 && !sim.calls.some((c) => c.method === 'GET'); i++) await new Promise((r) => setTimeout(r, 10));
    sim.setChaos({ errorRate: 1 });
    const r = await pending;
    sim.setChaos({});
    expect(r.errors, r.raw).toBeUndefined();
    expect(r.data.createGroupSnapshot).toEqual({ settled: false, groupSnapshot: { status: 'CREATING' } });
    expect(sim.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });
});
