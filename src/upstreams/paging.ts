import { type ServiceName, UpstreamError } from '../errors.js';
import { serviceLabel } from './http.js';

export interface MarkerPage<T> {
  items: T[];
  hasNextLink: boolean;
}

/**
 * Reads `want` items with limit/marker paging, asking again when the upstream returned a short page but said
 * more exists (Cinder caps `limit` at osapi_max_limit silently). Stops on a repeated id rather than looping:
 * Cinder below 3.29 ignores `marker` on group snapshots yet still sends a next link.
 */
export async function readMarkerPages<T extends { id: string }>(
  service: ServiceName,
  fetchPage: (limit: number, marker: string | undefined) => Promise<MarkerPage<T>>,
  want: number,
  startMarker: string | undefined,
  maxRequests = 50,
): Promise<{ items: T[] }> {
  const items: T[] = [];
  // Ids read so far, kept only once a second page is needed: one page cannot loop.
  let seen: Set<string> | undefined;
  const repeated = () =>
    new UpstreamError('UPSTREAM_ERROR', `${serviceLabel(service)} returned the same item twice while paging; refusing to loop.`, service, 200, null, null);
  let marker = startMarker;
  for (let i = 0; i < maxRequests; i++) {
    const page = await fetchPage(want - items.length, marker);
    for (const item of page.items) {
      if (item.id === startMarker || seen?.has(item.id)) throw repeated();
      seen?.add(item.id);
      items.push(item);
    }
    if (items.length >= want) return { items: items.length > want ? items.slice(0, want) : items };
    const last = page.items[page.items.length - 1];
    if (!page.hasNextLink || !last) return { items };
    if (!seen) {
      seen = new Set();
      for (const item of items) {
        if (seen.has(item.id)) throw repeated();
        seen.add(item.id);
      }
    }
    marker = last.id;
  }
  throw new UpstreamError(
    'UPSTREAM_ERROR',
    `${serviceLabel(service)} needed more than ${maxRequests} pages; giving up.`,
    service,
    200,
    null,
    null,
  );
}

/** The most items Cinder answers to one request (osapi_max_limit's default): the size of pages read at once. */
export const CINDER_PAGE_LIMIT = 1000;

/**
 * Reads the first `needed` items of a listing with all of its pages sent at once, by offset (`fetchAt(offset,
 * limit)`), instead of one page after the other. Each page after the first starts on the last item of the page
 * before it: when that item is not where it was (an object created or deleted between the reads, or a server cap
 * below `pageLimit`), the pages do not line up and the answer is null, so the caller reads on by marker instead.
 * `ended` says a short last page proved nothing follows.
 */
export async function readPagesAtOnce<T extends { id: string }>(
  fetchAt: (offset: number, limit: number) => Promise<MarkerPage<T>>,
  needed: number,
  pageLimit = CINDER_PAGE_LIMIT,
): Promise<{ items: T[]; ended: boolean } | null> {
  const asks: { offset: number; limit: number }[] = [{ offset: 0, limit: Math.min(pageLimit, needed) }];
  for (let end = pageLimit; end < needed; end += pageLimit - 1) {
    const offset = end - 1;
    asks.push({ offset, limit: Math.min(pageLimit, needed - offset) });
  }
  const pages = await Promise.all(asks.map((a) => fetchAt(a.offset, a.limit)));
  const items: T[] = [];
  const seen = new Set<string>();
  for (const [k, page] of pages.entries()) {
    const fresh = k === 0 ? page.items : page.items.slice(1);
    if (k > 0 && page.items[0]?.id !== items[items.length - 1]?.id) return null;
    for (const item of fresh) {
      if (seen.has(item.id)) return null;
      seen.add(item.id);
      items.push(item);
    }
    if (page.items.length < asks[k]!.limit) {
      // Short: the end of the listing, unless the server capped the page (it then says more exists).
      if (page.hasNextLink || pages.slice(k + 1).some((p) => p.items.length > 0)) return null;
      return { items, ended: true };
    }
  }
  return { items, ended: false };
}
