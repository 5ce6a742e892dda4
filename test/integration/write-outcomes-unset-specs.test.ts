// Manila's unsetShareGroupTypeSpecs sends one DELETE per key (probe of write outcomes). One failing midway answered
// Manila's own "Share group type spec k2 not found" (or a bare OUTCOME_UNKNOWN) although k1 was removed and k3 never
// sent; Cinder's unsetGroupTypeSpecs said so, Manila's now does too. And its check took the copy of the type read
// earlier in the request, so a second unset in one document sent a DELETE for a key already gone.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../../src/simulator/manila/seed.js';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
const sim = () => f.app.simulators.manila!;
beforeAll(async () => {
  f = await startFacade({ SIMULATE: 'manila', SDRS_URL: 'http://127.0.0.1:9/v1/x' });
});
afterAll(() => f.close());
beforeEach(() => sim().resetCalls());

const UNSET = 'unsetShareGroupTypeSpecs(input: { id: $id, keys: ["k1", "k2", "k3"] }) { shareGroupType { id } }';

async function typeWithK123(name: string): Promise<string> {
  const specs = ['k1', 'k2', 'k3'].map((key) => ({ key, value: '1' }));
  const made = await f.ok<any>('mutation($n: String!, $t: [ID!]!, $s: [ShareGroupSpecInput!]) { createShareGroupType(input: { name: $n, shareTypeIds: $t, groupSpecs: $s }) { id } }', {
    n: name,
    t: [SEED_IDS.shareTypes.defaultNfs],
    s: specs,
  });
  sim().resetCalls();
  return made.createShareGroupType.id;
}

const specKeys = async (id: string) =>
  ((await f.ok<any>('query($id: ID!) { shareGroupType(id: $id) { groupSpecs { key } } }', { id })).shareGroupType.groupSpecs as { key: string }[]).map((s) => s.key).sort();
const deletes = () => sim().calls.filter((c) => c.method === 'DELETE').map((c) => c.path.replace(/^.*\/group-specs\//, ''));

describe('unsetShareGroupTypeSpecs whose DELETE fails midway', () => {
  it.each([
    [404, { itemNotFound: { code: 404, message: 'Share group type spec k2 not found' } }, 'NOT_FOUND'],
    [500, { computeFault: { code: 500, message: 'db down' } }, 'OUTCOME_UNKNOWN'],
  ])('HTTP %s: the error says k1 was removed and k3 not sent; none is sent twice', async (status, json, code) => {
    const id = await typeWithK123(`midway-${status}`);
    sim().injectFault({ status, json, methods: ['DELETE'], urlIncludes: '/group-specs/k2' });
    const r = await f.gql(`mutation($id: ID!) { ${UNSET} }`, { id });
    expect(r.errors?.map((e) => e.extensions?.code), r.raw).toEqual([code]);
    expect(r.errors?.[0]?.message, r.raw).toMatch(/\(while removing group spec k2; already removed: k1; not sent: k3\)$/);
    expect(deletes()).toEqual(['k1', 'k2']);
    expect(await specKeys(id)).toEqual(['k2', 'k3']);
  });
});

describe('unsetShareGroupTypeSpecs after another write to the type in the same document', () => {
  it('checks the type as it is now: a key removed by the first is refused, not sent again', async () => {
    const id = await typeWithK123('midway-fresh');
    sim().injectFault({ status: 500, json: { computeFault: { code: 500, message: 'db down' } }, methods: ['DELETE'], urlIncludes: '/group-specs/k2' });
    const r = await f.gql(`mutation($id: ID!) { first: ${UNSET} again: unsetShareGroupTypeSpecs(input: { id: $id, keys: ["k1"] }) { shareGroupType { id } } }`, { id });
    expect(r.errors?.map((e) => [e.path?.[0], e.extensions?.code]), r.raw).toEqual([
      ['first', 'OUTCOME_UNKNOWN'],
      ['again', 'NOT_FOUND'],
    ]);
    expect(r.errors?.[1]?.message).toBe(`Share group type ${id} has no group spec k1; nothing was removed.`);
    expect(deletes()).toEqual(['k1', 'k2']);
  });
});
