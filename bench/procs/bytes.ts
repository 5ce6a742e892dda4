// Bytes the upstreams sent per screen, and how many of them no answer could use (issue 19: "bytes read vs bytes
// discarded by speculative reads"). Counted in the simulator process from outside the facade, per GraphQL
// request: the facade (and the hand-written baseline) send one X-OpenStack-Request-ID on every call of a request.
//
// An item of a listing is discarded when
// - it is a child (it names a group: volumes, group snapshots, shares ...) of a group that was not on the
//   request's page (the page is what the request's group listings returned), or
// - the same item is read again later in the same request (the earlier copy was thrown away).
// Type listings and single-object reads count as read, never as discarded (a listing of types is the plan for
// several ids, not a guess). A listing's bytes are shared evenly among its items.
import type { RecordedCall, SimResponse } from '../../src/simulator/server.js';

/** Root collections of the bench's screens: the page. */
const PAGE_PATH = /\/(groups|share-groups|share_groups)(\/detail)?$/;
const PARENT_KEYS = ['group_id', 'share_group_id'] as const;

interface Item {
  id: string;
  parent: string | null;
  bytes: number;
  /** Where it was listed, e.g. `volumes/detail` (the version and project left out). */
  collection: string;
}

interface RequestBytes {
  read: number;
  page: Set<string>;
  items: Item[];
}

export interface ByteTally {
  /** GraphQL requests seen (distinct request ids). */
  requests: number;
  read: number;
  discarded: number;
  /** The discarded bytes by collection, e.g. {"group_snapshots/detail": 12345}: where the waste is. */
  discardedBy: Record<string, number>;
}

const collectionOf = (path: string) => path.replace(/^\/v[0-9.]+\/([0-9a-f-]{32,36}\/)?/, '');

function listedItems(json: unknown): { id: string; parent: string | null }[] | null {
  if (!json || typeof json !== 'object') return null;
  for (const value of Object.values(json as Record<string, unknown>)) {
    if (!Array.isArray(value) || value.length === 0 || typeof value[0]?.id !== 'string') continue;
    return value.map((v: Record<string, unknown>) => {
      const key = PARENT_KEYS.find((k) => typeof v[k] === 'string');
      return { id: v.id as string, parent: key ? (v[key] as string) : null };
    });
  }
  return null;
}

export class ByteLedger {
  private readonly byRequest = new Map<string, RequestBytes>();
  private on = false;

  /** Counting costs the simulator CPU: only while a scenario that reports bytes asks for it. */
  enable(on: boolean): void {
    this.on = on;
    this.byRequest.clear();
  }

  readonly observe = (call: RecordedCall, out: SimResponse, bytes: number): void => {
    if (!this.on || call.method !== 'GET') return;
    const id = call.headers['x-openstack-request-id'];
    if (typeof id !== 'string') return;
    let r = this.byRequest.get(id);
    if (!r) this.byRequest.set(id, (r = { read: 0, page: new Set(), items: [] }));
    r.read += bytes;
    const items = out.status === 200 ? listedItems(out.json) : null;
    if (!items) return;
    const each = bytes / items.length;
    const isPage = PAGE_PATH.test(call.path);
    const collection = collectionOf(call.path);
    for (const item of items) {
      if (isPage) r.page.add(item.id);
      else r.items.push({ id: item.id, parent: item.parent, bytes: each, collection });
    }
  };

  /** Sums every request seen since the last tally, then forgets them. */
  tally(): ByteTally {
    const out: ByteTally = { requests: this.byRequest.size, read: 0, discarded: 0, discardedBy: {} };
    for (const r of this.byRequest.values()) {
      out.read += r.read;
      addDiscarded(r, out);
    }
    this.byRequest.clear();
    return out;
  }
}

function addDiscarded(r: RequestBytes, out: ByteTally): void {
  const lastRead = new Map<string, number>();
  r.items.forEach((item, i) => lastRead.set(item.id, i));
  r.items.forEach((item, i) => {
    const offPage = item.parent !== null && !r.page.has(item.parent);
    if (!offPage && lastRead.get(item.id) === i) return;
    out.discarded += item.bytes;
    out.discardedBy[item.collection] = (out.discardedBy[item.collection] ?? 0) + item.bytes;
  });
}
