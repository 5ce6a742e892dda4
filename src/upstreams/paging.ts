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
  const seen = new Set<string>();
  let marker = startMarker;
  for (let i = 0; i < maxRequests; i++) {
    const page = await fetchPage(want - items.length, marker);
    for (const item of page.items) {
      if (seen.has(item.id) || item.id === startMarker) {
        throw new UpstreamError(
          'UPSTREAM_ERROR',
          `${serviceLabel(service)} returned the same item twice while paging; refusing to loop.`,
          service,
          200,
          null,
          null,
        );
      }
      seen.add(item.id);
      items.push(item);
    }
    if (items.length >= want) return { items: items.slice(0, want) };
    const last = page.items[page.items.length - 1];
    if (!page.hasNextLink || !last) return { items };
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
