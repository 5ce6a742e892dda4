// Write probe of 2026-12-08: a write the upstream refused as busy (its own 503, or a 429) was answered "Cinder
// failed (HTTP 503)." without saying the change was not made, and the upstream's Retry-After was dropped.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({});
  await f.ok('{ groups(first: 1) { nodes { id } } }');
});
afterAll(() => f.close());
beforeEach(() => f.app.simulators.cinder!.resetCalls());

const UPDATE = `mutation { updateGroup(input: { id: "${SEED.groups.dbClusterProd}", description: "busy" }) { settled } }`;

describe('a write refused as busy', () => {
  it.each([
    [503, { serviceUnavailable: { code: 503, message: 'Cinder is busy.' } }, 'UPSTREAM_UNAVAILABLE'],
    [429, { overLimit: { code: 429, message: 'This request was rate-limited.' } }, 'UPSTREAM_UNAVAILABLE'],
  ])('%i: says the change was not made, passes Retry-After on, sent once', async (status, json, code) => {
    f.app.simulators.cinder!.injectFault({ status, json, methods: ['PUT'], headers: { 'retry-after': '7' } });
    const r = await f.gql(UPDATE);
    const err = r.errors?.[0];
    expect(err?.extensions?.code, r.raw).toBe(code);
    expect(err?.message).toMatch(/The change was not made; it may be sent again\.$/);
    expect(err?.extensions?.upstream).toMatchObject({ service: 'cinder', status, retryAfterSeconds: 7 });
    expect(f.app.simulators.cinder!.calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
  });

  it('a read refused as busy says nothing of changes', async () => {
    f.app.simulators.cinder!.injectFault({ status: 404, json: { itemNotFound: { code: 404, message: 'Group x could not be found.' } }, methods: ['GET'] });
    const r = await f.gql(`{ group(id: "${SEED.groups.dbClusterProd}") { id } }`);
    expect(JSON.stringify(r.errors ?? [])).not.toMatch(/change was not made/);
  });
});
