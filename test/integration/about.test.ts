// `about` tells anyone which services are configured, but the endpoints (hosts, project ids) only to a caller
// with a token.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/0f1e2d3c4b5a46978877665544332211' });
});
afterAll(() => f.close());

const QUERY = '{ about { services { name mode endpoint } } }';

it('a caller without a token sees the services and their modes, and no endpoint', async () => {
  const data = await f.ok<{ about: { services: { name: string; mode: string; endpoint: string | null }[] } }>(QUERY, undefined, { token: null });
  expect(data.about.services).toEqual([
    { name: 'cinder', mode: 'SIMULATED', endpoint: null },
    { name: 'manila', mode: 'ABSENT', endpoint: null },
    { name: 'sdrs', mode: 'REAL', endpoint: null },
  ]);
  expect(JSON.stringify(data)).not.toContain('0f1e2d3c4b5a46978877665544332211');
});

it('a caller with a token sees the endpoints', async () => {
  const data = await f.ok<{ about: { services: { name: string; endpoint: string | null }[] } }>(QUERY, undefined, { token: 'some-token' });
  const endpoint = Object.fromEntries(data.about.services.map((s) => [s.name, s.endpoint]));
  expect(endpoint.sdrs).toBe('http://127.0.0.1:9/v1/0f1e2d3c4b5a46978877665544332211');
  expect(endpoint.cinder).toBe(f.app.simulators.cinder!.endpoint);
  expect(endpoint.manila).toBeNull();
});
