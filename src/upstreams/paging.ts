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
