// An argument graphql-js itself refuses at execution (a null reaching a non-null argument through a variable with
// a default, which validation lets through) is the client's input, not an upstream failure: it was answered as
// UPSTREAM_ERROR, telling the client to retry. Both executors: graphql-jit (every document compiled at once) and
// graphql-js (GRAPHQL_COMPILE_AFTER=off).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

describe.each([
  ['graphql-jit', '0'],
  ['graphql-js', 'off'],
])('an argument refused by the executor (%s)', (_, compileAfter) => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ GRAPHQL_COMPILE_AFTER: compileAfter });
  });
  afterAll(() => f.close());

  it('a null for a non-null argument through a defaulted variable is BAD_USER_INPUT at its field, with no upstream call', async () => {
    const sims = Object.values(f.app.simulators);
    for (const s of sims) s!.resetCalls();
    const r = await f.gql('query($id: ID = "x") { group(id: $id) { id } }', { id: null });
    expect(r.errors, r.raw).toHaveLength(1);
    expect(r.errors![0]).toMatchObject({ path: ['group'], message: 'Argument "id" of non-null type "ID!" must not be null.' });
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(sims.flatMap((s) => s!.calls)).toEqual([]);
  });
});
