// The door's adaptive limit (src/http/admission.ts, rule 3) was visible nowhere: an operator could not tell a
// facade holding requests at a learnt limit of 17 from one at MAX_IN_FLIGHT (noisy-neighbour probe).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

describe('admission metrics', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ MAX_IN_FLIGHT: '120' });
  });
  afterAll(() => f.close());

  it('/metrics shows the requests in progress and the adaptive limit on them', async () => {
    await f.ok('{ groups(first: 1) { nodes { id } } }');
    const text = await (await fetch(f.url.replace('/graphql', '/metrics'))).text();
    expect(text).toMatch(/^graphql_requests_in_progress 0$/m);
    expect(text).toMatch(/^graphql_admission_limit 120$/m);
    expect(f.app.server.admissionLimit()).toBe(120);
  });
});
