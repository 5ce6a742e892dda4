// What the planner remembers of a project's size comes only from what an answer showed: a forged offset cursor
// past the end of the listing (an empty page) used to record that the project held at least that many groups,
// for every caller of the project, changing their plans.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CINDER_SCREEN } from '../../bench/queries.js';
import { CollectionSizes, collectionSizes } from '../../src/upstreams/loaders.js';
import { loopLoad } from '../../src/upstreams/roundTrips.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const offsetCursor = (position: number) => Buffer.from(`o:${position}`, 'utf8').toString('base64url');
// The largest offset a cursor may carry (connections.ts); past it the cursor itself is refused.
const FORGED = offsetCursor(99_998_989);

describe('the remembered count of a project\'s groups', () => {
  let f: Facade | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await f?.close();
    f = undefined;
  });
  const known = (service: 'cinder' | 'manila', collection: string) =>
    collectionSizes.atLeast(CollectionSizes.ofProject(service, collection, f!.app.upstreams[service]!.http.endpoint, { token: null, requestId: 'test' }));

  it('Cinder: an offset past the end records nothing, and another caller\'s screen costs the same after it', async () => {
    f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x' }, { cinder: { extraGroups: 60 } });
    const sim = f.app.simulators.cinder!;
    // Plans that depend on nothing but the sizes: Cinder far (20 ms), this process idle, as in cold-path.test.ts.
    vi.spyOn(loopLoad, 'busy').mockReturnValue(0);
    for (let i = 0; i < 16; i++) f.app.upstreams.cinder!.http.roundTrips.record(20);
    sim.setDelay(20);
    const screenCalls = async (token: string) => {
      sim.resetCalls();
      await f!.ok(CINDER_SCREEN, { n: 60 }, { token });
      return sim.calls.map((c) => `${c.method} ${c.url}`);
    };
    const page = `query($a: String) { groups(first: 5, after: $a, sort: { key: NAME }) { nodes { id } pageInfo { hasNextPage } } }`;
    await screenCalls('warm-up');
    const before = await screenCalls('caller-1');
    const total = known('cinder', 'groups');
    expect(total).toBeGreaterThan(60);

    const forged = await f.ok<any>(page, { a: FORGED }, { token: 'forger' });
    expect(forged.groups.nodes).toEqual([]);
    expect(known('cinder', 'groups')).toBe(total);
    expect(await screenCalls('caller-2')).toEqual(before);

    // A page that showed groups at an offset still proves the project holds at least that many past it.
    const shown = await f.ok<any>(page, { a: offsetCursor(total - 3) }, { token: 'reader' });
    expect(shown.groups.nodes.length).toBeGreaterThan(0);
    expect(known('cinder', 'groups')).toBeGreaterThanOrEqual(total - 2 + shown.groups.nodes.length);
  }, 60_000);

  it('Manila: an offset past the end records nothing', async () => {
    const off = { CINDER_URL: 'http://127.0.0.1:9/v3/x', SDRS_URL: 'http://127.0.0.1:9/v1/x' };
    f = await startFacade({ SIMULATE: 'manila', ...off }, { manila: { extraShareGroups: 60 } });
    const page = `query($a: String) { shareGroups(first: 5, after: $a) { nodes { id } } }`;
    const all = await f.ok<any>(`{ shareGroups(first: 1000) { nodes { id } } }`);
    const total = all.shareGroups.nodes.length;
    expect(known('manila', 'share_groups')).toBe(total);

    const forged = await f.ok<any>(page, { a: FORGED }, { token: 'forger' });
    expect(forged.shareGroups.nodes).toEqual([]);
    expect(known('manila', 'share_groups')).toBe(total);

    const shown = await f.ok<any>(page, { a: offsetCursor(total - 3) }, { token: 'reader' });
    expect(shown.shareGroups.nodes).toHaveLength(2);
    expect(known('manila', 'share_groups')).toBe(total);
  }, 60_000);
});
