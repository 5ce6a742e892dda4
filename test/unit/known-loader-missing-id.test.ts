// Wire audit of 2026-12-08: `load` of an id an upstream object left out (a snapshot without volume_id, an SDRS
// member without server_group_id) threw DataLoader's TypeError: INTERNAL_SERVER_ERROR. It is the upstream's error.
import { describe, expect, it } from 'vitest';
import { KnownLoader } from '../../src/upstreams/knownLoader.js';

describe('KnownLoader.load of a missing id', () => {
  it.each([undefined, null])('%s: UPSTREAM_ERROR, nothing loaded', async (key) => {
    let batches = 0;
    const loader = new KnownLoader<string, string>(async (keys) => (batches++, keys.map((k) => k)));
    await expect(loader.load(key as unknown as string)).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(batches).toBe(0);
  });
});
