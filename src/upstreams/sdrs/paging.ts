import { UpstreamError } from '../../errors.js';
import { SDRS_MAX_LIMIT } from './client.js';

export interface OffsetPage<T> {
  items: T[];
  /** The upstream's total of matching items (SDRS `count`); null when it sent none. */
  count: number | null;
}

/**
 * Reads `want` items from `start` with offset/limit paging. When the upstream answers with fewer items than
 * asked while its `count` says more exist, it asks again from the new offset, so a page never stops short
 * silently. It never loops: an empty answer ends the read (an error if `count` says more exist), and an item
 * seen twice (an upstream ignoring `offset`) is an error.
 */
export async function readOffsetPages<T extends { id: string }>(
  fetchPage: (limit: number, offset: number) => Promise<OffsetPage<T>>,
  start: number,
  want: number,
  maxRequests = 50,
  /** What the items are, for the error messages. */
  what = 'protection groups',
): Promise<OffsetPage<T> & { hasMore: boolean }> {
  const items: T[] = [];
  const seen = new Set<string>();
  let count: number | null = null;
  for (let i = 0; i < maxRequests; i++) {
    // SDRS refuses a limit over 1000 (SDRS.0221): a longer read goes on from where this one ends.
    const limit = Math.min(want - items.length, SDRS_MAX_LIMIT);
    const page = await fetchPage(limit, start + items.length);
    count = page.count ?? count;
    for (const item of page.items.slice(0, want - items.length)) {
      if (seen.has(item.id)) {
        throw new UpstreamError('UPSTREAM_ERROR', `SDRS returned the same item twice while paging ${what}; refusing to loop.`, 'sdrs', 200, null, null);
      }
      seen.add(item.id);
      items.push(item);
    }
    const end = start + items.length;
    if (page.items.length === 0 && count !== null && end < count) {
      // Asking again would get the same nothing; stopping quietly would hide groups.
      throw new UpstreamError('UPSTREAM_ERROR', `SDRS counted ${count} ${what} but returned none from position ${end}.`, 'sdrs', 200, null, null);
    }
    // Without a count, a page shorter than asked is the end of the listing.
    const done = items.length >= want || page.items.length === 0 || (count === null ? page.items.length < limit : end >= count);
    if (done) {
      const hasMore = count !== null ? end < count : items.length >= want;
      return { items, count, hasMore };
    }
  }
  throw new UpstreamError('UPSTREAM_ERROR', `SDRS needed more than ${maxRequests} requests for one page of ${what}; giving up.`, 'sdrs', 200, null, null);
}

/**
 * One item more than `n` when it fits in the same SDRS call: the item after the page, which the page's last cursor
 * names (src/resolvers/resume.ts); a page of 1000 would pay a second call for it.
 */
export const following = (n: number): number => (n < SDRS_MAX_LIMIT ? 1 : 0);
