// updateGroup's volume lists (probe of write outcomes): 6,000 UUIDs in addVolumeIds went out as one 234 KB PUT, a
// volume named twice was sent twice, and add/remove overlap was compared as typed, so "…000a" added and "…000A"
// removed reached Cinder, which answered 400. Each is now BAD_USER_INPUT before any call.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/seed.js';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
const cinder = () => f.app.simulators.cinder!;
beforeAll(async () => {
  f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x' });
});
afterAll(() => f.close());
beforeEach(() => cinder().resetCalls());

const UPDATE = 'mutation($id: ID!, $add: [ID!], $remove: [ID!]) { updateGroup(input: { id: $id, addVolumeIds: $add, removeVolumeIds: $remove }) { group { id } } }';
const volume = (n: number) => `3f8e2d1c-4b5a-4968-a7b6-${n.toString(16).padStart(12, '0')}`;
const many = (count: number) => Array.from({ length: count }, (_, i) => volume(i + 1));

describe('updateGroup volume lists are refused before any call', () => {
  it.each([
    ['addVolumeIds of 101', { add: many(101) }, /^addVolumeIds names 101 items; at most 100\.$/],
    ['addVolumeIds of 6,000', { add: many(6_000) }, /^addVolumeIds names 6000 items; at most 100\.$/],
    ['removeVolumeIds of 101', { remove: many(101) }, /^removeVolumeIds names 101 items; at most 100\.$/],
    ['a volume added twice', { add: [volume(1), volume(1)] }, /^addVolumeIds names "3f8e2d1c-4b5a-4968-a7b6-000000000001" twice\.$/],
    ['a volume removed twice, case aside', { remove: [volume(10), volume(10).toUpperCase()] }, /^removeVolumeIds names "3F8E2D1C-4B5A-4968-A7B6-00000000000A" twice\.$/],
    ['a volume added and removed, case aside', { add: [volume(10)], remove: [volume(10).toUpperCase()] }, /^Volume 3f8e2d1c-4b5a-4968-a7b6-00000000000a is both added to and removed from the group/],
  ])('%s', async (_name, lists, message) => {
    const r = await f.gql(UPDATE, { id: SEED.groups.webTier, ...lists });
    expect(r.errors?.map((e) => e.extensions?.code), r.raw.slice(0, 2_000)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors?.[0]?.message).toMatch(message);
    expect(cinder().calls.map((c) => `${c.method} ${c.path}`)).toEqual([]);
  });

  it('100 distinct volumes are within the limit: the PUT goes out, once, with each id once', async () => {
    const add = many(100);
    const r = await f.gql(UPDATE, { id: SEED.groups.emptyStaging, add });
    // Cinder refuses volumes it does not hold; what matters is that the facade sent them, not what Cinder said.
    expect(r.errors?.map((e) => e.extensions?.upstream?.status), r.raw.slice(0, 2_000)).toEqual([400]);
    const puts = cinder().calls.filter((c) => c.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(JSON.parse(puts[0]!.body).group.add_volumes.split(',')).toEqual(add);
  });
});
