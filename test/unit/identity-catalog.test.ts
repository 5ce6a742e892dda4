// Issue 16: which endpoint a caller's Keystone catalog gives each upstream.
import { describe, expect, it } from 'vitest';
import { type KeystoneCatalogEntry, catalogFor, fillProject, pickEndpoint } from '../../src/identity/catalog.js';

const ep = (iface: string, region: string, url: string) => ({ interface: iface, region_id: region, region, url });
const catalog: KeystoneCatalogEntry[] = [
  { type: 'volume', endpoints: [ep('public', 'RegionOne', 'http://old/v1/p')] },
  { type: 'volumev3', endpoints: [ep('public', 'RegionOne', 'http://c1/v3/p'), ep('internal', 'RegionOne', 'http://c1-int/v3/p')] },
  { type: 'sharev2', endpoints: [ep('public', 'RegionOne', 'http://m1/v2/p'), ep('public', 'RegionTwo', 'http://m2/v2/p')] },
];
const choose = (iface = 'public', region: string | null = null) => ({ interface: iface, region });

describe('pickEndpoint', () => {
  it('takes the first service type present, in the documented order (volumev3 before volume)', () => {
    expect(pickEndpoint(catalog, 'cinder', choose())).toEqual({ ok: true, url: 'http://c1/v3/p', type: 'volumev3' });
    const withBlockStorage = [{ type: 'block-storage', endpoints: [ep('public', 'RegionOne', 'http://bs/v3/p')] }, ...catalog];
    expect(pickEndpoint(withBlockStorage, 'cinder', choose())).toMatchObject({ ok: true, url: 'http://bs/v3/p' });
  });

  it('honours the interface', () => {
    expect(pickEndpoint(catalog, 'cinder', choose('internal'))).toMatchObject({ ok: true, url: 'http://c1-int/v3/p' });
    expect(pickEndpoint(catalog, 'cinder', choose('admin'))).toEqual({ ok: false, message: expect.stringMatching(/no admin endpoint/) });
  });

  it('never picks a region silently: several without KEYSTONE_REGION is an answer naming them', () => {
    const r = pickEndpoint(catalog, 'manila', choose());
    expect(r).toEqual({ ok: false, message: expect.stringContaining('several regions (RegionOne, RegionTwo); set KEYSTONE_REGION') });
    expect(pickEndpoint(catalog, 'manila', choose('public', 'RegionTwo'))).toMatchObject({ ok: true, url: 'http://m2/v2/p' });
    expect(pickEndpoint(catalog, 'cinder', choose('public', 'RegionTwo'))).toEqual({
      ok: false,
      message: expect.stringContaining('no public endpoint in region RegionTwo (it has: RegionOne)'),
    });
  });

  // Probe of 2026-12-08: the first type present won even without an endpoint of the chosen interface, hiding a
  // later type (or a second entry of the same type) that had one; and a catalog of 10,000 regions made a 69 KB message.
  it('takes the first type with an endpoint of the chosen interface and region, as openstacksdk does', () => {
    const internalOnly = [{ type: 'block-storage', endpoints: [ep('internal', 'RegionOne', 'http://bs-int/v3/p')] }, { type: 'block-storage', endpoints: [] }, ...catalog];
    expect(pickEndpoint(internalOnly, 'cinder', choose())).toEqual({ ok: true, url: 'http://c1/v3/p', type: 'volumev3' });
    expect(pickEndpoint(internalOnly, 'cinder', choose('internal'))).toMatchObject({ ok: true, url: 'http://bs-int/v3/p' });
    const twice = [{ type: 'volumev3', endpoints: [ep('public', 'RegionTwo', 'http://c2/v3/p')] }, ...catalog];
    expect(pickEndpoint(twice, 'cinder', choose('public', 'RegionOne'))).toMatchObject({ ok: true, url: 'http://c1/v3/p' });
  });

  // Review of 2026-12-08: the fall-through reached the `volume` type's Cinder v2 URL (no groups there: 404s).
  it('falls through only to an endpoint of the API version the facade speaks', () => {
    const withV2 = [...catalog.slice(1), { type: 'volume', endpoints: [ep('admin', 'RegionOne', 'http://ca:8776/v2/p')] }];
    expect(pickEndpoint(withV2, 'cinder', choose('admin'))).toEqual({ ok: false, message: expect.stringMatching(/volumev3 service has no admin endpoint/) });
    const unversioned = [{ type: 'block-storage', endpoints: [ep('admin', 'RegionOne', 'http://ca/volume')] }, ...withV2];
    expect(pickEndpoint(unversioned, 'cinder', choose('admin'))).toMatchObject({ ok: true, url: 'http://ca/volume' });
  });

  it('names at most ten regions in its message', () => {
    const regions = [{ type: 'sdrs', endpoints: Array.from({ length: 10_000 }, (_, i) => ep('public', `R${i}`, `http://s${i}/v1/p`)) }];
    const r = pickEndpoint(regions, 'sdrs', choose()) as { message: string };
    expect(r.message).toContain('(R0, R1, R2, R3, R4, R5, R6, R7, R8, R9 and 9990 more)');
    expect((pickEndpoint(regions, 'sdrs', choose('public', 'X')) as { message: string }).message.length).toBeLessThan(300);
  });

  it('says when the catalog has no such service', () => {
    expect(pickEndpoint(catalog, 'sdrs', choose())).toEqual({ ok: false, message: expect.stringMatching(/catalog has no sdrs service/) });
  });
});

describe('catalogFor: what a cached token keeps of its catalog', () => {
  const many = Array.from({ length: 500 }, (_, i) => ({ type: `other${i}`, endpoints: [ep('public', 'RegionOne', `http://o${i}/v1/p`)] }));
  const catalogs: KeystoneCatalogEntry[][] = [
    catalog,
    [...many, ...catalog, { type: 'sdrs', endpoints: [ep('admin', 'RegionOne', 'http://s-adm/v1/p'), ep('public', 'RegionTwo', 'http://s2/v1/p'), ep('public', 'RegionTwo', 'http://s2b/v1/p')] }],
    [{ type: 'volume', endpoints: [ep('public', 'RegionTwo', 'http://old2/v1/p'), ep('public', 'RegionOne', 'http://old1/v1/p')] }, { type: 'shared-file-system', endpoints: [] }],
    [{ type: 'volumev3', endpoints: [{ interface: 'public', region: 'R', url: 'http://r/v3/p' }, { interface: 'public', region_id: 'R', url: 'ftp://r' }] }],
    [],
  ];
  const choices = [choose(), choose('internal'), choose('admin'), choose('public', 'RegionOne'), choose('public', 'RegionTwo'), choose('public', 'R')];

  it('answers every service and choice as the whole catalog does', () => {
    for (const c of catalogs) {
      for (const choice of choices) {
        for (const service of ['cinder', 'manila', 'sdrs'] as const) {
          expect(pickEndpoint(catalogFor(c, choice), service, choice), `${service} ${JSON.stringify(choice)}`).toEqual(pickEndpoint(c, service, choice));
        }
      }
    }
  });

  it("keeps one entry per service, the chosen interface's endpoints, the first of each region", () => {
    const kept = catalogFor(catalogs[1]!, choose());
    expect(kept).toEqual([
      { type: 'volumev3', endpoints: [ep('public', 'RegionOne', 'http://c1/v3/p')] },
      { type: 'sharev2', endpoints: [ep('public', 'RegionOne', 'http://m1/v2/p'), ep('public', 'RegionTwo', 'http://m2/v2/p')] },
      { type: 'sdrs', endpoints: [ep('public', 'RegionTwo', 'http://s2/v1/p')] },
    ]);
  });
});

describe('fillProject', () => {
  it('fills {project_id} from the token, and refuses to guess without one', () => {
    expect(fillProject('http://c/v3/{project_id}', 'abc')).toBe('http://c/v3/abc');
    expect(fillProject('http://c/v3/fixed', null)).toBe('http://c/v3/fixed');
    expect(fillProject('http://c/v3/{project_id}', null)).toBeNull();
  });
});
