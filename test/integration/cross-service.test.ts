// One query over Cinder groups and Manila share groups: one failing upstream never fails the other's fields.
import { describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

const BOTH = `{ groups(first: 2) { nodes { id name volumes { id } } }
  shareGroups(first: 2) { nodes { id name shares { id } } } }`;

// A fresh facade per test: each upstream has its own circuit breaker, which a burst of failures may open.
async function withBoth(run: (f: Facade) => Promise<void>): Promise<void> {
  const f = await startFacade({ SIMULATE: 'cinder,manila', SDRS_URL: 'http://127.0.0.1:9/v1/x' }, {
    cinder: { transitionMs: 20 },
    manila: { transitionMs: 20 },
  });
  try {
    await run(f);
  } finally {
    await f.close();
  }
}

describe('Cinder and Manila side by side', () => {
  it('answers both services in one query', () =>
    withBoth(async (f) => {
      const d = await f.ok<any>(BOTH);
      expect(d.groups.nodes).toHaveLength(2);
      expect(d.shareGroups.nodes).toHaveLength(2);
    }));

  it('a failing Manila leaves Cinder data intact, with the error pathed at the Manila field', () =>
    withBoth(async (f) => {
      f.app.simulators.manila!.injectFault({ status: 500, json: { computeFault: { code: 500, message: 'boom' } }, times: 50 });
      const r = await f.gql(BOTH);
      expect(r.status).toBe(200);
      expect(r.data?.groups.nodes).toHaveLength(2);
      expect(r.data?.groups.nodes[0].volumes).toEqual(expect.any(Array));
      expect(r.data?.shareGroups).toBeNull();
      expect(r.errors).toHaveLength(1);
      expect(r.errors?.[0]).toMatchObject({
        path: ['shareGroups'],
        message: 'Manila failed (HTTP 500).', // its own text ('boom') is logged, not shown
        extensions: { code: 'UPSTREAM_ERROR', upstream: { service: 'manila', status: 500, code: 'computeFault' } },
      });
    }));

  it('a failing Cinder leaves Manila data intact', () =>
    withBoth(async (f) => {
      f.app.simulators.cinder!.injectFault({ status: 500, json: { computeFault: { code: 500, message: 'down' } }, times: 50 });
      const r = await f.gql(BOTH);
      expect(r.data?.shareGroups.nodes).toHaveLength(2);
      expect(r.data?.groups).toBeNull();
      expect(r.errors?.map((e) => e.path)).toEqual([['groups']]);
      expect(r.errors?.[0]?.extensions?.upstream?.service).toBe('cinder');
    }));

  it('one failing Manila field leaves the other root fields answered', () =>
    withBoth(async (f) => {
      await f.ok('{ shareGroups(first: 1) { nodes { id } } }');
      // Only the shares listing fails.
      f.app.simulators.manila!.injectFault({ status: 500, json: { computeFault: { code: 500, message: 'shares down' } }, times: 1, methods: ['GET'] });
      const r = await f.gql('{ groups(first: 1) { nodes { id } } share(id: "e5f6a7b8-0001-4e9f-8a0b-3c4d5e6f7a01") { id name } }');
      expect(r.data?.groups.nodes).toHaveLength(1);
      expect(r.data?.share).toBeNull();
      expect(r.errors?.map((e) => e.path)).toEqual([['share']]);
    }));
});

describe('an unreachable Manila', () => {
  it('gives UPSTREAM_UNAVAILABLE on the Manila field only', async () => {
    const f = await startFacade({
      SIMULATE: 'cinder',
      MANILA_URL: 'http://127.0.0.1:9/v2/8a1f2c3d4e5f40718293a4b5c6d7e8f9',
      SDRS_URL: 'http://127.0.0.1:9/v1/x',
    });
    try {
      const r = await f.gql(BOTH);
      expect(r.status).toBe(200);
      expect(r.data?.groups.nodes).toHaveLength(2);
      expect(r.data?.shareGroups).toBeNull();
      expect(r.errors).toHaveLength(1);
      expect(r.errors?.[0]).toMatchObject({
        path: ['shareGroups'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'manila', status: 0 } },
      });
    } finally {
      await f.close();
    }
  });

  it('a Manila that is neither configured nor simulated is a clear error, never simulated data', async () => {
    const f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x' });
    try {
      expect(f.app.simulators.manila).toBeUndefined();
      const r = await f.gql('{ shareGroups { nodes { id } } groups(first: 1) { nodes { id } } }');
      expect(r.data?.groups.nodes).toHaveLength(1);
      expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(r.errors?.[0]?.message).toMatch(/manila service is not configured.*MANILA_URL/);
    } finally {
      await f.close();
    }
  });
});
