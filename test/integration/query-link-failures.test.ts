// A field read with its own upstream call (a group's volumes, a protection group's allowed actions) can fail while
// its object was read: it is nullable, so only it is null with an error. Non-null, its failure nulled the nearest
// nullable parent: the whole `groups` page, every group lost for one failed volumes listing (probe finding).
import { afterEach, describe, expect, it } from 'vitest';
import type { InjectedFault } from '../../src/simulator/server.js';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

type Service = 'cinder' | 'manila' | 'sdrs';
const OPENSTACK_503 = { status: 503, json: { serviceUnavailable: { code: 503, message: 'down' } } };
const SDRS_500 = { status: 500, json: { error: { code: 'SDRS.0002', message: 'Internal error.' } } };

interface Case {
  field: string;
  service: Service;
  /** The listing that fails (every attempt: retries included). */
  url: string;
  query: string;
  /** Where the parent list sits in `data`, and the field failing in each of its items. */
  list: (data: any) => any[];
  path: (i: number) => (string | number)[];
}

const cases: Case[] = [
  {
    field: 'Group.volumes',
    service: 'cinder',
    url: '/volumes/detail',
    query: '{ groups(first: 3) { nodes { id name volumes { id } } } }',
    list: (d) => d.groups.nodes,
    path: (i) => ['groups', 'nodes', i, 'volumes'],
  },
  {
    field: 'Group.volumeTypes',
    service: 'cinder',
    url: '/types',
    query: '{ groups(first: 3) { nodes { id name volumeTypes { id } } } }',
    list: (d) => d.groups.nodes,
    path: (i) => ['groups', 'nodes', i, 'volumeTypes'],
  },
  {
    field: 'Group.snapshots',
    service: 'cinder',
    url: '/group_snapshots/detail',
    query: '{ groups(first: 3) { nodes { id name snapshots { nodes { id } } } } }',
    list: (d) => d.groups.nodes,
    path: (i) => ['groups', 'nodes', i, 'snapshots'],
  },
  {
    field: 'GroupSnapshot.volumeSnapshots',
    service: 'cinder',
    url: '/snapshots/detail',
    query: '{ groupSnapshots(first: 3) { nodes { id name volumeSnapshots { id } } } }',
    list: (d) => d.groupSnapshots.nodes,
    path: (i) => ['groupSnapshots', 'nodes', i, 'volumeSnapshots'],
  },
  {
    field: 'ShareGroup.shares',
    service: 'manila',
    url: '/shares/detail',
    query: '{ shareGroups(first: 3) { nodes { id name shares { id } } } }',
    list: (d) => d.shareGroups.nodes,
    path: (i) => ['shareGroups', 'nodes', i, 'shares'],
  },
  {
    field: 'ShareGroup.shareTypes',
    service: 'manila',
    url: '/types?',
    query: '{ shareGroups(first: 3) { nodes { id name shareTypes { id } } } }',
    list: (d) => d.shareGroups.nodes,
    path: (i) => ['shareGroups', 'nodes', i, 'shareTypes'],
  },
  {
    field: 'ShareGroup.snapshots',
    service: 'manila',
    url: '/share-group-snapshots/detail',
    query: '{ shareGroups(first: 3) { nodes { id name snapshots { nodes { id } } } } }',
    list: (d) => d.shareGroups.nodes,
    path: (i) => ['shareGroups', 'nodes', i, 'snapshots'],
  },
  {
    field: 'ShareGroupType.shareTypes',
    service: 'manila',
    url: '/types?',
    query: '{ shareGroupTypes { id name shareTypes { id } } }',
    list: (d) => d.shareGroupTypes,
    path: (i) => ['shareGroupTypes', i, 'shareTypes'],
  },
  {
    field: 'ProtectionGroup.allowedActions',
    service: 'sdrs',
    url: '/protected-instances',
    query: '{ protectionGroups(first: 5) { nodes { id name status allowedActions } } }',
    list: (d) => d.protectionGroups.nodes,
    path: (i) => ['protectionGroups', 'nodes', i, 'allowedActions'],
  },
];

async function failing(c: Pick<Case, 'service' | 'url'>): Promise<Facade> {
  f = await startFacade({ SIMULATE: 'cinder,manila,sdrs' });
  const fault: InjectedFault = { ...(c.service === 'sdrs' ? SDRS_500 : OPENSTACK_503), methods: ['GET'], urlIncludes: c.url, times: 1_000 };
  f.app.simulators[c.service]!.injectFault(fault);
  return f;
}

describe('a link whose own upstream read fails', () => {
  it.each(cases)('$field: null with its error; the page of its parents stays', async (c) => {
    const token = `links-${c.field}`;
    const facade = await failing(c);
    const r = await facade.gql(c.query, undefined, { token });
    const fail = `query: ${c.query}\nbody: ${r.raw}`;
    expect(r.status, fail).toBe(200);
    expect(r.data, fail).not.toBeNull();
    const items = c.list(r.data);
    expect(items.length, fail).toBeGreaterThan(0);
    const name = c.field.split('.')[1]!;
    const failed = items.flatMap((item, i) => (item[name] === null ? [i] : []));
    expect(failed.length, fail).toBeGreaterThan(0);
    for (const item of items) expect(item.id, fail).toEqual(expect.any(String));
    // One error per failed item, in no particular order (the items' reads settle as they come).
    const paths = (r.errors ?? []).map((e) => JSON.stringify(e.path)).sort();
    expect(paths, fail).toEqual(failed.map((i) => JSON.stringify(c.path(i))).sort());
    for (const e of r.errors ?? []) expect(e.extensions?.upstream?.service, fail).toBe(c.service);
  });

  it('Group.volumes: every group of the page is kept, each with volumes null and an error at its path', async () => {
    const facade = await failing({ service: 'cinder', url: '/volumes/detail' });
    const r = await facade.gql('{ groups(first: 3) { nodes { id name volumes { id } } } }', undefined, { token: 'links-volumes' });
    expect(r.data?.groups.nodes, r.raw).toHaveLength(3);
    expect(r.data?.groups.nodes.map((g: any) => g.volumes)).toEqual([null, null, null]);
    expect(r.errors?.[0], r.raw).toMatchObject({
      path: ['groups', 'nodes', 0, 'volumes'],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'cinder', status: 503 } },
    });
  });

  it('ProtectedInstance.replicationPairs: the instances stay, each with its pairs null', async () => {
    const facade = await failing({ service: 'sdrs', url: '/replications' });
    const q = '{ protectionGroups(first: 5) { nodes { id protectedInstances { nodes { id replicationPairs { id } } } } } }';
    const r = await facade.gql(q, undefined, { token: 'links-pairs' });
    const instances = (r.data?.protectionGroups.nodes ?? []).flatMap((g: any) => g.protectedInstances?.nodes ?? []);
    expect(instances.length, r.raw).toBeGreaterThan(0);
    expect(instances.every((i: any) => i.replicationPairs === null), r.raw).toBe(true);
    expect(r.errors?.every((e) => e.path?.at(-1) === 'replicationPairs'), r.raw).toBe(true);
  });

  it('availabilityZones: null with its error, the rest of the answer kept (non-null, it nulled the whole data)', async () => {
    const facade = await failing({ service: 'cinder', url: '/os-availability-zone' });
    const r = await facade.gql('{ about { services { name } } availabilityZones { name service } }', undefined, { token: 'links-zones' });
    expect(r.data?.about.services, r.raw).toHaveLength(3);
    expect(r.data?.availabilityZones, r.raw).toBeNull();
    expect(r.errors?.map((e) => e.path)).toEqual([['availabilityZones']]);
  });
});
