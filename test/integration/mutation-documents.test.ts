// Several mutations in one document, one of them failing: every write that happened is in the answer. With non-null
// payloads one failure nulled the whole `data`, so the client lost the id of a snapshot it had made, and graphql-jit
// went on to run the mutations after the failure without reporting them (now mutations run on graphql-js only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

const DOCUMENT = `mutation {
  a: createGroupSnapshot(input: { groupId: "9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01", name: "first" }) { groupSnapshot { id name } }
  b: deleteGroupSnapshot(input: { id: "b7d6c5e4-a3b2-4c1d-9e0f-8a7b6c5d4eff" }) { id }
  c: createGroupSnapshot(input: { groupId: "9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b02", name: "third" }) { groupSnapshot { id name } }
}`;

describe('a document of three mutations whose second fails', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({});
  });
  afterAll(() => f.close());

  it('answers the first and the third with their objects and the second with its error, on every run', async () => {
    for (let run = 0; run < 3; run++) {
      f.app.simulators.cinder!.resetCalls();
      const r = await f.gql(DOCUMENT);
      expect(r.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['b'], 'NOT_FOUND']]);
      expect(r.data?.a?.groupSnapshot).toMatchObject({ id: expect.any(String), name: 'first' });
      expect(r.data?.b).toBeNull();
      expect(r.data?.c?.groupSnapshot).toMatchObject({ id: expect.any(String), name: 'third' });
      const posts = f.app.simulators.cinder!.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/group_snapshots'));
      expect(posts).toHaveLength(2);
    }
  });
});
