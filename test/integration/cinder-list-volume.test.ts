// Cinder's list_volume (each group's volume ids) costs it one volume query per group: against real Cinder a page of
// 1000 groups took 6 to 8 s with it and 3 s without, so `groups(first: 1000)` timed out (UPSTREAM_TIMEOUT_MS 5 s)
// though it asked for no volume (real-OpenStack probe). It is asked for only when the page's volumes are.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

describe('list_volume on a page of groups', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder' });
  });
  afterAll(() => f.close());

  const listings = async (query: string) => {
    const sim = f.app.simulators.cinder!;
    sim.resetCalls();
    await f.ok(query);
    return sim.calls.filter((c) => /\/groups\/detail/.test(c.path)).map((c) => new URL(c.url, 'http://x').searchParams.get('list_volume'));
  };

  it('is not asked for when no volume is', async () => {
    expect(await listings('{ groups(first: 3) { nodes { id name status groupType { name } } } }')).toEqual([null]);
  });

  it('is asked for when the volumes are (the groups\' own ids check the batched volume listing)', async () => {
    expect(await listings('{ groups(first: 3) { nodes { id volumes { id } } } }')).toEqual(['true']);
  });

  it('the answers are the same either way', async () => {
    const plain = await f.ok<any>('{ groups(first: 5) { nodes { id name } } }');
    const withVolumes = await f.ok<any>('{ groups(first: 5) { nodes { id name volumes { id } } } }');
    expect(withVolumes.groups.nodes.map((g: any) => ({ id: g.id, name: g.name }))).toEqual(plain.groups.nodes);
    expect(withVolumes.groups.nodes.some((g: any) => g.volumes.length > 0)).toBe(true);
  });
});
