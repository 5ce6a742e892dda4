// Marker paging (Cinder, SDRS): short pages are followed, and an upstream that repeats itself is refused
// instead of looped on.
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { readMarkerPages } from '../../src/upstreams/paging.js';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `i${from + i}` }));

describe('readMarkerPages', () => {
  it('follows short pages (a silent server cap) until it has what was asked for', async () => {
    const asked: string[] = [];
    const out = await readMarkerPages(
      'cinder',
      async (limit, marker) => {
        asked.push(`${limit}@${marker ?? '-'}`);
        const from = marker ? Number(marker.slice(1)) + 1 : 0;
        return { items: ids(Math.min(limit, 3), from), hasNextLink: true };
      },
      7,
      undefined,
    );
    expect(out.items.map((i) => i.id)).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6']);
    expect(asked).toEqual(['7@-', '4@i2', '1@i5']);
  });

  it('refuses an upstream that ignores the marker and sends the same page again', async () => {
    const read = readMarkerPages('cinder', async () => ({ items: ids(2), hasNextLink: true }), 10, undefined);
    await expect(read).rejects.toThrow(/same item twice/);
    await expect(read).rejects.toBeInstanceOf(UpstreamError);
  });

  it('refuses a page that hands back the marker it started from', async () => {
    const read = readMarkerPages('cinder', async () => ({ items: ids(2), hasNextLink: false }), 10, 'i1');
    await expect(read).rejects.toThrow(/same item twice/);
  });

  it('stops at the end of the listing and after at most maxRequests pages', async () => {
    const end = await readMarkerPages('cinder', async () => ({ items: ids(2), hasNextLink: false }), 10, undefined);
    expect(end.items).toHaveLength(2);
    let n = 0;
    const endless = readMarkerPages('cinder', async () => ({ items: ids(1, n++), hasNextLink: true }), 100, undefined, 5);
    await expect(endless).rejects.toThrow(/more than 5 pages/);
  });
});

describe('PageCap (Manila)', () => {
  it('one short page followed by more is not believed to be the cap; the same cut twice is', async () => {
    const { PageCap, readOffsetPages } = await import('../../src/upstreams/manila/paging.js');
    const cap = new PageCap();
    // A listing of 20 whose first read comes back with 1 item (it was changing), then answers in full.
    let call = 0;
    const odd = async (limit: number, offset: number) => (call++ === 0 ? ids(1) : ids(Math.min(limit, 20 - offset), offset));
    await readOffsetPages(odd, 0, 20, cap);
    expect(cap.known).toBeNull();
    expect(cap.requestLimit(500)).toBe(500);
    // A server that really cuts at 3: learnt after the second cut, and reads then ask for 3 at a time.
    const capped = async (limit: number, offset: number) => ids(Math.min(limit, 3, Math.max(0, 20 - offset)), offset);
    const real = new PageCap();
    await readOffsetPages(capped, 0, 20, real);
    expect(real.known).toBe(3);
    expect(real.requestLimit(500)).toBe(3);
  });

  // Byzantine-upstream probe of 2026-12-08: a Manila that answered one item a request for a moment made every later
  // listing of the process ask for one at a time (a page of 150 failed after 100 calls), until a restart.
  it('a learnt cap is believed for ten minutes, then learnt afresh', async () => {
    const { PageCap, PAGE_CAP_MEMORY_MS, readOffsetPages } = await import('../../src/upstreams/manila/paging.js');
    let now = 1_000_000;
    const cap = new PageCap(() => now);
    const onePerPage = async (_limit: number, offset: number) => ids(Math.min(1, Math.max(0, 20 - offset)), offset);
    await readOffsetPages(onePerPage, 0, 5, cap);
    expect(cap.known).toBe(1);
    const healthy = async (limit: number, offset: number) => ids(Math.min(limit, Math.max(0, 150 - offset)), offset);
    now += PAGE_CAP_MEMORY_MS + 1;
    const calls: number[] = [];
    const read = await readOffsetPages(async (limit, offset) => (calls.push(limit), healthy(limit, offset)), 0, 150, cap);
    expect(read.items).toHaveLength(150);
    expect(calls).toEqual([150]);
    expect(cap.known).toBeNull();
  });
});
