// An upstream object whose id fields are of the wrong kind: a Cinder group with `group_type: null` or
// `volume_types: "abc"` (or `[null]`). Their fields answered INTERNAL_SERVER_ERROR ("Internal error in the
// facade", DataLoader's TypeError logged as the facade's bug); the upstream is at fault: UPSTREAM_ERROR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CinderState } from '../../src/simulator/cinder/state.js';
import { SEED } from '../../src/simulator/cinder/seed.js';
import { type Facade, startFacade } from '../helpers/facade.js';

describe('a group whose type ids are malformed upstream', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder,manila,sdrs' });
    const state = (f.app.simulators.cinder as unknown as { state: CinderState }).state;
    const group = state.groups.get(SEED.groups.webTier) as unknown as Record<string, unknown>;
    // As the simulator writes them: `group_type: null`, `volume_types: [null]`.
    group.group_type_id = null;
    group.volume_type_ids = [null];
  });
  afterAll(() => f.close());

  it('answers UPSTREAM_ERROR on groupType and volumeTypes, each null on its own: the group is kept', async () => {
    const r = await f.gql<any>('query($id: ID!) { group(id: $id) { id name groupType { id } volumeTypes { id } } }', { id: SEED.groups.webTier });
    expect(r.data, r.raw).toEqual({ group: { id: SEED.groups.webTier, name: 'web-tier', groupType: null, volumeTypes: null } });
    const codes = Object.fromEntries((r.errors ?? []).map((e) => [e.path?.at(-1), e.extensions?.code]));
    expect(codes, r.raw).toEqual({ groupType: 'UPSTREAM_ERROR', volumeTypes: 'UPSTREAM_ERROR' });
  });
});
