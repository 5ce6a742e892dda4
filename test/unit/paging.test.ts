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
