// Issue 20: the fields a portal's forms need across services, each kind of thing read at most once per request.
import { afterEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const FORM = `{
  groupTypes { id name }
  volumeTypes { id name }
  defaultGroupType { id }
  availabilityZones { name service available }
  quotas {
    groups { limit inUse reserved } groupSnapshots { limit inUse } volumes { limit inUse } gigabytes { limit inUse }
    shareGroups { limit inUse reserved } shareGroupSnapshots { limit inUse } shares { limit inUse } shareGigabytes { limit }
  }
}`;

/** Calls per "kind": the method and the path without the project and ids, query string dropped. */
function kinds(facade: Facade): Map<string, number> {
  const out = new Map<string, number>();
  for (const [service, sim] of Object.entries(facade.app.simulators)) {
    for (const c of sim.calls) {
      const path = c.path.split('?')[0]!.replace(/\/[0-9a-f]{32}(?=\/|$)/g, '/{project}').replace(/\/[0-9a-f-]{36}(?=\/|$)/g, '/{id}');
      const key = `${service} ${c.method} ${path}`;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
  }
  return out;
}

describe('a "create group" form in one request', () => {
  it('reads each kind of thing at most once, zones and quotas of both services included', async () => {
    f = await startFacade({});
    for (const sim of Object.values(f.app.simulators)) sim.resetCalls();
    const data = await f.ok(FORM);
    expect(data.availabilityZones.map((z: { service: string }) => z.service).sort()).toEqual(expect.arrayContaining(['cinder', 'manila']));
    expect(data.quotas.groups).toMatchObject({ inUse: expect.any(Number), reserved: 0 });
    expect(data.quotas.shares.inUse).toEqual(expect.any(Number));
    const counted = kinds(f);
    for (const [kind, n] of counted) expect(n, kind).toBe(1);
    // Version documents aside, one call per kind: group types, volume types, default type, zones (2), quotas (2).
    expect([...counted.keys()].filter((k) => !/ GET \/(v\d)?$/.test(k)).length).toBeLessThanOrEqual(8);
  });

  it('a service that is not configured nulls only its own quota fields and adds no zones', async () => {
    f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/00000000000000000000000000000000' });
    const r = await f.gql(`{ availabilityZones { service } quotas { groups { inUse } shares { inUse } } }`);
    expect(r.data?.availabilityZones.every((z: { service: string }) => z.service === 'cinder')).toBe(true);
    expect(r.data?.quotas.groups.inUse).toEqual(expect.any(Number));
    expect(r.data?.quotas.shares).toBeNull();
    expect(r.errors?.map((e) => e.path?.join('.'))).toEqual(['quotas.shares']);
  });
});
