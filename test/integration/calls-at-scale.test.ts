// The canonical screens of the benchmark (bench/queries.ts) at N = 100 and 1000 of a project of about a thousand
// groups: the upstream calls stay flat. Each linked collection costs the pages its listing needs (Cinder and
// Manila answer at most 1000 items a page) and nothing per group, so a regression to N+1 fails here, not only
// in `npm run bench`.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CINDER_SCREEN, MANILA_SCREEN } from '../../bench/queries.js';
import type { RecordedCall } from '../../src/simulator/server.js';
import { DEFAULT_MAX_CONNECTIONS } from '../../src/upstreams/resilience.js';
import { forgetListingCosts } from '../../src/upstreams/children.js';
import { CollectionSizes, collectionSizes } from '../../src/upstreams/loaders.js';
import { loopLoad } from '../../src/upstreams/roundTrips.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const OFF = { SDRS_URL: 'http://127.0.0.1:9/v1/x' };
const PAGE = 1000;
const EXTRA = 1000;
/** What the project holds: the extra groups have 2 volumes and 1 snapshot each, the examples add fewer than 100. */
const VOLUMES = 2 * EXTRA + 99;
const SNAPSHOTS = EXTRA + 99;

/** Calls by listing path, project prefix cut off: `/groups/detail` → 2. */
function byPath(calls: readonly RecordedCall[], project: RegExp): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) {
    const p = c.path.replace(project, '');
    out[p] = (out[p] ?? 0) + 1;
  }
  return out;
}

/** Upstream pages a listing of `items` takes, plus the one call that may prove a full last page was the last. */
const pagesFor = (items: number) => Math.floor(items / PAGE) + 1;

describe('upstream calls of the canonical screens stay flat up to N = 1000', () => {
  // This process's own load must not decide the plans asserted here (see cinder.facade.test.ts).
  const busy = vi.spyOn(loopLoad, 'busy').mockReturnValue(0);
  afterAll(() => busy.mockRestore());

  describe('Cinder', () => {
    let f: Facade;
    beforeAll(async () => {
      f = await startFacade({ SIMULATE: 'cinder', ...OFF }, { cinder: { extraGroups: EXTRA } });
      await f.ok('{ groups(first: 1) { nodes { id } } }'); // version discovery happens once per process
    });
    afterAll(() => f.close());

    it.each([100, 1000])('N = %i: one listing (or its pages) per linked collection, none per group', async (n) => {
      const sim = f.app.simulators.cinder!;
      sim.resetCalls();
      const data = await f.ok<any>(CINDER_SCREEN, { n }, { token: `cinder-scale-${n}` });
      expect(data.groups.nodes).toHaveLength(n);
      let volumes = 0;
      for (const g of data.groups.nodes) {
        expect(g.groupType).not.toBeNull();
        expect(g.volumeTypes.length).toBeGreaterThan(0);
        for (const v of g.volumes) expect(v.group.id).toBe(g.id);
        for (const s of g.snapshots.nodes) expect(s.group.id).toBe(g.id);
        volumes += g.volumes.length;
      }
      expect(volumes).toBeGreaterThan(n); // the seed gives each extra group two volumes: the test reads real data

      const calls = sim.calls;
      const lines = calls.map((c) => `${c.method} ${c.url}`).join('\n');
      expect(calls.filter((c) => /[?&]group_id=[0-9a-f]/.test(c.url)), lines).toEqual([]);
      const paths = byPath(calls, /^\/v3\/[0-9a-f]+/);
      expect(paths['/groups/detail'], lines).toBeLessThanOrEqual(pagesFor(n));
      expect(paths['/group_types'] ?? 0, lines).toBeLessThanOrEqual(1);
      expect(paths['/types'] ?? 0, lines).toBeLessThanOrEqual(1);
      expect(paths['/volumes/detail'], lines).toBeLessThanOrEqual(pagesFor(VOLUMES));
      expect(paths['/group_snapshots/detail'], lines).toBeLessThanOrEqual(pagesFor(SNAPSHOTS));
      expect(Object.keys(paths).sort(), lines).toEqual(['/group_snapshots/detail', '/group_types', '/groups/detail', '/types', '/volumes/detail']);
      expect(calls.length, lines).toBeLessThanOrEqual(9);
      expect(new Set(calls.map((c) => c.url)).size, 'no request repeated').toBe(calls.length);
    });

    it('a page of 400 groups in a project too large for one snapshot listing: 400 filtered listings, none refused', async () => {
      // As if this caller's group snapshots had been found over 400 × 50: one filtered listing per group is the
      // plan. More than the Cinder bulkhead's 64 in flight and 256 waiting, from this one request: it used to
      // refuse 80 of them (FACADE_BULKHEAD_FULL) on an idle facade.
      const token = 'cinder-scale-snapshot-heavy';
      const sizeKey = CollectionSizes.ofProject('cinder', 'group_snapshots', f.app.upstreams.cinder!.http.endpoint, { token, requestId: 'test' });
      collectionSizes.record(sizeKey, 1_000_000);
      const sim = f.app.simulators.cinder!;
      sim.setDelay(5);
      try {
        sim.resetCalls();
        const data = await f.ok<any>('{ groups(first: 400) { nodes { id snapshots(first: 1) { totalCount nodes { id group { id } } } } } }', undefined, { token });
        expect(data.groups.nodes).toHaveLength(400);
        for (const g of data.groups.nodes) {
          expect(g.snapshots.totalCount).toBeGreaterThan(0);
          for (const s of g.snapshots.nodes) expect(s.group.id).toBe(g.id);
        }
        const filtered = sim.calls.filter((c) => c.path.endsWith('/group_snapshots/detail') && /[?&]group_id=[0-9a-f]/.test(c.url));
        expect(filtered).toHaveLength(400);
        // Calls this request had open at the simulator when each arrived: never more than its share (64).
        // (answeredBefore counts from the simulator's start: the request's first call gives the baseline.)
        const open = sim.calls.map((c, i) => i + 1 - (c.answeredBefore - sim.calls[0]!.answeredBefore));
        expect(Math.max(...open)).toBeLessThanOrEqual(DEFAULT_MAX_CONNECTIONS);
        expect(Math.max(...open)).toBeGreaterThan(DEFAULT_MAX_CONNECTIONS / 2);
      } finally {
        sim.setDelay(0);
        forgetListingCosts(sizeKey);
      }
    });
  });

  describe('Cinder with UPSTREAM_MAX_CONNECTIONS=128', () => {
    let f: Facade;
    beforeAll(async () => {
      f = await startFacade({ SIMULATE: 'cinder', UPSTREAM_MAX_CONNECTIONS: '128', ...OFF }, { cinder: { extraGroups: EXTRA } });
      // Another caller of the project reads every group once: the project's count of groups is known from then on.
      await f.ok(CINDER_SCREEN, { n: 1000 }, { token: 'cinder-wide-lane-first' });
    });
    afterAll(() => f.close());

    it('N = 100, a new caller: one filtered snapshot listing per group, all in one round trip of the wider lane', async () => {
      expect(f.app.upstreams.cinder!.http.bulkhead.maxActive).toBe(128);
      const sim = f.app.simulators.cinder!;
      // Long enough for the agent to open its new connections before the first answers come back (a busy CI too).
      sim.setDelay(100);
      try {
        sim.resetCalls();
        const data = await f.ok<any>(CINDER_SCREEN, { n: 100 }, { token: 'cinder-wide-lane-new' });
        expect(data.groups.nodes).toHaveLength(100);
        for (const g of data.groups.nodes) for (const s of g.snapshots.nodes) expect(s.group.id).toBe(g.id);
        const lines = sim.calls.map((c) => `${c.method} ${c.url}`).join('\n');
        const snapshotReads = sim.calls.filter((c) => c.path.endsWith('/group_snapshots/detail'));
        expect(snapshotReads.filter((c) => /[?&]group_id=[0-9a-f]/.test(c.url)), lines).toHaveLength(100);
        expect(snapshotReads, 'no project-wide snapshot listing').toHaveLength(100);
        // The 100 filtered listings were in flight together: more than the default lane of 64 would admit.
        const open = sim.calls.map((c, i) => i + 1 - (c.answeredBefore - sim.calls[0]!.answeredBefore));
        expect(Math.max(...open)).toBeGreaterThan(DEFAULT_MAX_CONNECTIONS);
        expect(Math.max(...open)).toBeLessThanOrEqual(128);
      } finally {
        sim.setDelay(0);
      }
    });
  });

  describe('Manila', () => {
    let f: Facade;
    beforeAll(async () => {
      f = await startFacade({ SIMULATE: 'manila', ...OFF }, { manila: { extraShareGroups: EXTRA } });
      await f.ok('{ shareGroups(first: 1) { nodes { id } } }');
    });
    afterAll(() => f.close());

    it.each([100, 1000])('N = %i: one listing (or its pages) per linked collection, none per share group', async (n) => {
      const sim = f.app.simulators.manila!;
      sim.resetCalls();
      const data = await f.ok<any>(MANILA_SCREEN, { n }, { token: `manila-scale-${n}` });
      expect(data.shareGroups.nodes).toHaveLength(n);
      let shares = 0;
      for (const g of data.shareGroups.nodes) {
        expect(g.shareGroupType).not.toBeNull();
        expect(g.shareTypes.length).toBeGreaterThan(0);
        for (const s of g.shares) expect(s.shareGroup.id).toBe(g.id);
        for (const s of g.snapshots.nodes) expect(s.shareGroup.id).toBe(g.id);
        shares += g.shares.length;
      }
      expect(shares).toBeGreaterThan(0);

      const calls = sim.calls;
      const lines = calls.map((c) => `${c.method} ${c.url}`).join('\n');
      expect(calls.filter((c) => /[?&]share_group_id=[0-9a-f]/.test(c.url)), lines).toEqual([]);
      expect(calls.filter((c) => /\/share-groups\/[0-9a-f-]{36}$/.test(c.path)), lines).toEqual([]);
      expect(calls.length, lines).toBeLessThanOrEqual(9);
      expect(new Set(calls.map((c) => c.url)).size, 'no request repeated').toBe(calls.length);
    });
  });
});
