import { UpstreamError } from '../../errors.js';

/** The most the facade asks Manila for in one response (Manila's own default osapi_max_limit). */
export const MANILA_REQUEST_LIMIT = 1000;

/** How long a learnt cap is believed (see PageCap.known). */
export const PAGE_CAP_MEMORY_MS = 10 * 60_000;

/**
 * What this process has learned of the Manila's `osapi_max_limit`: Manila silently returns at most that many
 * items, so a short page is only known to be the last one when the limit asked was within the cap.
 * Service configuration, not user data, so it may outlive a request (like the version document).
 */
export class PageCap {
  /** Manila has answered this many items to one request, so its cap is at least this. */
  atLeast = 0;
  private cut: number | null = null;
  private cutAt = 0;
  private suspected: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Manila was seen cutting a page short at this size, twice in a row, within PAGE_CAP_MEMORY_MS: then learnt
   * afresh. A Manila that once answered one item a request (a proxy, a bad minute) made every later listing ask
   * for one item at a time for the life of the process (byzantine-upstream probe of 2026-12-08).
   */
  get known(): number | null {
    if (this.cut !== null && this.now() - this.cutAt > PAGE_CAP_MEMORY_MS) {
      this.cut = null;
      this.suspected = null;
      this.atLeast = 0;
    }
    return this.cut;
  }

  /**
   * A page of `size` items was followed by more: Manila may cap pages there. Believed when seen twice in a row,
   * and never below what Manila has answered at once: one odd page (a listing changing under the read) must not
   * slow every later listing of the process to `size` items a request.
   */
  sawCut(size: number): void {
    if (size < this.atLeast) return;
    if (this.suspected === size) {
      this.cut = size;
      this.cutAt = this.now();
    } else this.suspected = size;
  }

  requestLimit(remaining: number): number {
    return Math.max(1, Math.min(remaining, this.known ?? MANILA_REQUEST_LIMIT));
  }
}

export interface OffsetRead<T> {
  items: T[];
  /** Offset of each item in the listing (its cursor position). */
  positions: number[];
  /** True when Manila said there is nothing after the last item read. */
  exhausted: boolean;
}

/**
 * Reads `want` items from `start` with offset/limit. Manila's next links are broken on Zed and Antelope (they
 * point at /share_groups, and their `marker` is refused with 400), so the facade computes offsets itself. When a
 * page comes back shorter than asked and the limit was above what Manila is known to return at once, it asks
 * again from the new offset: a page never stops short because of the server's cap. An item already read is
 * skipped (offsets drift when groups are created meanwhile); a page of nothing but repeats is an error rather
 * than a loop.
 */
export async function readOffsetPages<T extends { id: string }>(
  fetchPage: (limit: number, offset: number) => Promise<T[]>,
  start: number,
  want: number,
  cap: PageCap,
  maxRequests = 100,
): Promise<OffsetRead<T>> {
  const items: T[] = [];
  const positions: number[] = [];
  const seen = new Set<string>();
  let offset = start;
  let pendingShort: number | null = null;
  for (let i = 0; i < maxRequests; i++) {
    const limit = cap.requestLimit(want - items.length);
    const page = await fetchPage(limit, offset);
    if (pendingShort !== null) {
      // The previous page was short: items after it mean Manila capped it.
      if (page.length > 0) cap.sawCut(pendingShort);
      pendingShort = null;
    }
    if (page.length === 0) return { items, positions, exhausted: true };
    let fresh = 0;
    page.forEach((item, i) => {
      if (seen.has(item.id)) return;
      seen.add(item.id);
      fresh++;
      if (items.length < want) {
        items.push(item);
        positions.push(offset + i);
      }
    });
    if (fresh === 0) {
      throw new UpstreamError('UPSTREAM_ERROR', 'Manila returned the same items again for a new offset; refusing to loop.', 'manila', 200, null, null);
    }
    offset += page.length;
    const seenBefore = cap.atLeast;
    cap.atLeast = Math.max(cap.atLeast, Math.min(page.length, limit));
    if (items.length >= want) return { items, positions, exhausted: false };
    if (page.length < limit) {
      // Short within what Manila is known to return at once (it has answered more than this before, or the
      // limit asked was within that): the listing ended. Otherwise it may be the cap: ask again.
      const ended = page.length < seenBefore || limit <= cap.atLeast || (cap.known !== null && limit <= cap.known);
      if (ended) return { items, positions, exhausted: true };
      pendingShort = page.length;
    }
  }
  throw new UpstreamError('UPSTREAM_ERROR', `Manila needed more than ${maxRequests} requests for one page; giving up.`, 'manila', 200, null, null);
}
