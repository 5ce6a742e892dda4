// One unfiltered listing shared by several batches of a document: a batch must never take a read cut short for
// the whole listing. Three aliased pages in one document: the small page's read-ahead (one upstream page) is still
// in flight when both larger pages' batches want more; the second of them used to get the earlier, truncated read
// back as if it were complete, and its parents' children went missing (totalCount 0 or 1 where the truth is 2).
import { afterEach, describe, expect, it } from 'vitest';
import type { CinderState } from '../../src/simulator/cinder/index.js';
import { sharedListing } from '../../src/upstreams/loaders.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type RestCall, restClient } from '../helpers/rest.js';

/** Every item of an upstream listing, by offset, straight from the simulator: the truth. */
async function listAll(call: RestCall, path: string, key: string): Promise<any[]> {
  const out: any[] = [];
  for (let offset = 0; ; offset += 1000) {
    const items = (await call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=1000&offset=${offset}`)).json[key] as any[];
    out.push(...items);
    if (items.length < 1000) return out;
  }
}

// Cursors as the facade hands them out: a Cinder marker (the group's id), a Manila or SDRS offset.
const enc = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const markerCursor = (id: string) => enc(`m:${id}`);
const offsetCursor = (position: number) => enc(`o:${position}`);

const idsOf = (items: any[], parentKey: string, parent: string) => items.filter((x) => x[parentKey] === parent).map((x) => x.id);

/** Each aliased page's parents whose children (by `childrenOf`) differ from the truth. */
function wrongChildren(data: any, aliases: string[], childrenOf: (node: any) => { got: number; id: string }[]): string[] {
  return aliases.flatMap((alias) => data[alias].nodes.flatMap((n: any) => childrenOf(n).map((c) => `${alias} ${n.id} ${c.id}: got ${c.got}`)));
}

// Each answer takes longer than the next call takes to leave: the read-ahead is in flight when the batches want it.
const DELAYS = [0, 20];

describe('sharedListing', () => {
  it('hands each caller a read sent for at least what it asked for, or a complete one, judged by that read\'s own limit', async () => {
    const items = Array.from({ length: 1200 }, (_, i) => i);
    const sent: number[] = [];
    const read = sharedListing(async (max) => {
      sent.push(max);
      await new Promise((r) => setTimeout(r, 5));
      return items.slice(0, max);
    });
    const [a, b, c] = await Promise.all([read(1001), read(1501), read(1501)]);
    expect(a).toMatchObject({ complete: false });
    expect(a.items).toHaveLength(1001);
    for (const r of [b, c]) expect(r).toEqual({ items, complete: true });
    expect(sent).toEqual([1001, 1501]);

    // A caller that needs more than the larger read another waiter started waits for it, then reads what it needs.
    sent.length = 0;
    const next = sharedListing(async (max) => {
      sent.push(max);
      await new Promise((r) => setTimeout(r, 5));
      return items.slice(0, max);
    });
    const [, small, large] = await Promise.all([next(1001), next(1101), next(1501)]);
    expect(small).toMatchObject({ complete: false });
    expect(small.items).toHaveLength(1101);
    expect(large).toEqual({ items, complete: true });
    expect(sent).toEqual([1001, 1101, 1501]);
  });
});

describe('children of three aliased pages on a project of over 1000 children', () => {
  let f: Facade | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  for (const delay of DELAYS) {
    it(`Cinder groups: every group gets all its group snapshots (upstream delay ${delay} ms)`, async () => {
      f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x' }, { cinder: { extraGroups: 1000 } });
      const call = restClient(f.app.simulators.cinder!.endpoint, 'truth', { 'openstack-api-version': 'volume 3.70' });
      const snaps = await listAll(call, '/group_snapshots/detail', 'group_snapshots');
      expect(snaps.length).toBeGreaterThan(1000);
      const oldest = await listAll(call, '/groups/detail?sort=created_at:asc', 'groups');
      const sel = '{ nodes { id snapshots(first: 5) { totalCount nodes { id } } } }';
      const asc = 'sort: { key: CREATED_AT, direction: ASC }';
      f.app.simulators.cinder!.setDelay(delay);
      const data = await f.ok<any>(
        `{ a: groups(first: 20) ${sel}
           b: groups(first: 30, ${asc}, after: "${markerCursor(oldest[29].id)}") ${sel}
           c: groups(first: 30, ${asc}) ${sel} }`,
        undefined,
        { token: `cold-${delay}` },
      );
      const wrong = wrongChildren(data, ['a', 'b', 'c'], (g) => {
        const want = idsOf(snaps, 'group_id', g.id);
        const right = g.snapshots.totalCount === want.length && JSON.stringify(g.snapshots.nodes.map((s: any) => s.id)) === JSON.stringify(want.slice(0, 5));
        return right ? [] : [{ id: `snapshots (want ${want.length})`, got: g.snapshots.totalCount }];
      });
      expect(wrong).toEqual([]);
    }, 60_000);

    it(`Manila share groups: every share group gets all its shares and snapshots (upstream delay ${delay} ms)`, async () => {
      const off = { CINDER_URL: 'http://127.0.0.1:9/v3/x', SDRS_URL: 'http://127.0.0.1:9/v1/x' };
      f = await startFacade({ SIMULATE: 'manila', ...off }, { manila: { extraShareGroups: 1000 } });
      const headers = { 'x-openstack-manila-api-version': '2.73', 'x-openstack-manila-api-experimental': 'True' };
      const call = restClient(f.app.simulators.manila!.endpoint, 'truth', headers);
      const shares = await listAll(call, '/shares/detail', 'shares');
      const snaps = await listAll(call, '/share-group-snapshots/detail', 'share_group_snapshots');
      const sel = '{ nodes { id shares { id } snapshots(first: 5) { totalCount nodes { id } } } }';
      const asc = 'sort: { key: CREATED_AT, direction: ASC }';
      f.app.simulators.manila!.setDelay(delay);
      const data = await f.ok<any>(
        `{ a: shareGroups(first: 20) ${sel}
           b: shareGroups(first: 30, ${asc}, after: "${offsetCursor(29)}") ${sel}
           c: shareGroups(first: 30, ${asc}) ${sel} }`,
        undefined,
        { token: `cold-${delay}` },
      );
      const wrong = wrongChildren(data, ['a', 'b', 'c'], (g) => {
        const wantShares = idsOf(shares, 'share_group_id', g.id).sort();
        const wantSnaps = idsOf(snaps, 'share_group_id', g.id);
        return [
          ...(JSON.stringify(g.shares.map((s: any) => s.id).sort()) === JSON.stringify(wantShares) ? [] : [{ id: `shares (want ${wantShares.length})`, got: g.shares.length }]),
          ...(g.snapshots.totalCount === wantSnaps.length ? [] : [{ id: `snapshots (want ${wantSnaps.length})`, got: g.snapshots.totalCount }]),
        ];
      });
      expect(wrong).toEqual([]);
    }, 60_000);

    it(`SDRS protection groups: every group gets all its drills (upstream delay ${delay} ms)`, async () => {
      f = await startFacade({ SIMULATE: 'sdrs', CINDER_URL: 'http://127.0.0.1:9/v3/x' }, { sdrs: { extraGroups: 1200 } });
      const call = restClient(f.app.simulators.sdrs!.endpoint, 'truth', {});
      const drills = await listAll(call, '/disaster-recovery-drills', 'disaster_recovery_drills');
      const total = (await call('GET', '/server-groups?limit=1')).json.count as number;
      const sel = '{ nodes { id drills(first: 5) { totalCount nodes { id } } } }';
      f.app.simulators.sdrs!.setDelay(delay);
      const data = await f.ok<any>(
        `{ a: protectionGroups(first: 20) ${sel}
           b: protectionGroups(first: 30, after: "${offsetCursor(total - 61)}") ${sel}
           c: protectionGroups(first: 30, after: "${offsetCursor(total - 31)}") ${sel} }`,
        undefined,
        { token: `cold-${delay}` },
      );
      const wrong = wrongChildren(data, ['a', 'b', 'c'], (g) => {
        const want = idsOf(drills, 'server_group_id', g.id);
        return g.drills.totalCount === want.length ? [] : [{ id: `drills (want ${want.length})`, got: g.drills.totalCount }];
      });
      expect(wrong).toEqual([]);
    }, 60_000);
  }

  it(`Cinder groups, warm: the project grew by more than its remembered size allows for (upstream delay 20 ms: the timing that shows it)`, async () => {
    f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x' }, { cinder: { extraGroups: 1000 } });
    const sel = '{ nodes { id snapshots(first: 5) { totalCount nodes { id } } } }';
    // Any caller of the project: the group snapshot listing's exact size is remembered.
    await f.ok(`{ groups(first: 60) ${sel} }`, undefined, { token: 'first-caller' });
    const sim = f.app.simulators.cinder! as NonNullable<Facade['app']['simulators']['cinder']> & { state: CinderState };
    const newest = [...sim.state.groups.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : -1))[0]!;
    for (let k = 0; k < 100; k++) sim.state.addGroupSnapshot({ group_id: newest.id, group_type_id: newest.group_type_id, name: `new-${k}` });
    const call = restClient(sim.endpoint, 'truth', { 'openstack-api-version': 'volume 3.70' });
    const snaps = await listAll(call, '/group_snapshots/detail', 'group_snapshots');
    const oldest = await listAll(call, '/groups/detail?sort=created_at:asc', 'groups');
    const asc = 'sort: { key: CREATED_AT, direction: ASC }';
    sim.setDelay(20);
    const data = await f.ok<any>(
      `{ a: groups(first: 60) ${sel}
         b: groups(first: 70, ${asc}, after: "${markerCursor(oldest[69].id)}") ${sel}
         c: groups(first: 70, ${asc}) ${sel} }`,
      undefined,
      { token: 'second-caller' },
    );
    const wrong = wrongChildren(data, ['a', 'b', 'c'], (g) => {
      const want = idsOf(snaps, 'group_id', g.id);
      const right = g.snapshots.totalCount === want.length && JSON.stringify(g.snapshots.nodes.map((s: any) => s.id)) === JSON.stringify(want.slice(0, 5));
      return right ? [] : [{ id: `snapshots (want ${want.length})`, got: g.snapshots.totalCount }];
    });
    expect(wrong).toEqual([]);
  }, 60_000);

  for (const delay of DELAYS) {
    it(`Cinder group snapshots of two pages: every one gets all its volume snapshots (upstream delay ${delay} ms)`, async () => {
      // 1210 volume snapshots: the small page's read (1001) is cut short, the large page's (5001) is whole.
      f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x' }, { cinder: { extraGroups: 600 } });
      const call = restClient(f.app.simulators.cinder!.endpoint, 'truth', { 'openstack-api-version': 'volume 3.70' });
      const snaps = await listAll(call, '/snapshots/detail', 'snapshots');
      expect(snaps.length).toBeGreaterThan(1001);
      const sel = '{ nodes { id volumeSnapshots { id } } }';
      f.app.simulators.cinder!.setDelay(delay);
      const data = await f.ok<any>(
        `{ a: groupSnapshots(first: 10, sort: { key: CREATED_AT, direction: ASC }) ${sel}
           b: groupSnapshots(first: 100) ${sel} }`,
        undefined,
        { token: `cold-${delay}` },
      );
      const wrong = wrongChildren(data, ['a', 'b'], (gs) => {
        const want = idsOf(snaps, 'group_snapshot_id', gs.id).sort();
        const got = gs.volumeSnapshots.map((s: any) => s.id).sort();
        return JSON.stringify(got) === JSON.stringify(want) ? [] : [{ id: `volume snapshots (want ${want.length})`, got: got.length }];
      });
      expect(wrong).toEqual([]);
    }, 60_000);
  }
});
