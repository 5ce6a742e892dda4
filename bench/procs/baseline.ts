// Bench child: the canonical Cinder screen composed by hand — the CPU and latency yardstick for the facade. No
// GraphQL, no DataLoader; the same JSON the facade answers, assembled directly.
//
// Parity with the facade (issue 19): BASELINE_HTTP=dispatch (the default) reads every upstream answer through the
// facade's own exchangeOnce() — undici dispatch(), body gathered as buffers and decoded once — on an agent made by
// the facade's createAgent(), and the runner starts it with the facade's node flags. BASELINE_HTTP=request is the
// same composition on undici request() + body.text(), as most hand-written code would be: a second, named row.
//
// Two plans, chosen per request by the `x-bench-plan` header:
// - `lean` (default): the facade's calls with Cinder next door (d = 0): the page, then its linked collections in
//   parallel (types by show or listing, the page's volumes by one group_id list filter). The CPU yardstick.
// - `ahead`: its best round-trip plan: everything that does not depend on the page leaves with it (type listings,
//   bounded full listings of volumes and group snapshots); only a listing over budget costs a second round trip.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { createAgent } from '../../src/upstreams/http.js';
import { exchangeOnce, splitUrl } from '../../src/upstreams/transport.js';
import { cpuMicros, serveIpc } from '../ipc.js';

interface Group {
  id: string;
  name: string | null;
  group_type: string;
  volume_types: string[];
}
interface Named {
  id: string;
  name: string;
}
interface Volume {
  id: string;
  size: number;
  group_id?: string | null;
}
interface Snapshot {
  id: string;
  group_id: string;
  group_type_id: string;
}

const endpoint = (process.env.CINDER_URL ?? '').replace(/\/+$/, '');
if (!endpoint) throw new Error('CINDER_URL is required');
const viaRequest = process.env.BASELINE_HTTP === 'request';
const agent = createAgent({ connectMs: 3_000, headersMs: 5_000, bodyMs: 5_000 });
const MAX_LIMIT = 1000;
// The facade's planner reads one full listing for several parents while it stays under 50 items per parent.
const BUDGET_PER_PARENT = 50;
const NO_HOOKS = { onSent() {}, onHeaders() {} };

/** One screen's calls share a request id, as the facade's do (the bench's byte accounting groups by it). */
interface Screen {
  token: string;
  requestId: string;
}

async function getText(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  if (viaRequest) {
    const res = await request(url, { method: 'GET', dispatcher: agent, headers });
    return { status: res.statusCode, text: await res.body.text() };
  }
  const res = await exchangeOnce(agent, splitUrl(url), 'GET', headers, undefined, undefined, NO_HOOKS);
  return { status: res.statusCode, text: res.text };
}

async function get<T>(path: string, screen: Screen): Promise<T> {
  const { status, text } = await getText(`${endpoint}${path}`, {
    accept: 'application/json',
    'x-auth-token': screen.token,
    'x-openstack-request-id': screen.requestId,
    'openstack-api-version': 'volume 3.70',
  });
  if (status >= 300) throw new Error(`GET ${path}: HTTP ${status}`);
  return JSON.parse(text) as T;
}

/** Follows limit/marker pages until `want` items or the end. */
async function listAll<T extends { id: string }>(path: string, key: string, linksKey: string, want: number, screen: Screen, extra = '') {
  const out: T[] = [];
  let marker: string | undefined;
  for (;;) {
    const limit = Math.min(want - out.length, MAX_LIMIT);
    const body = await get<Record<string, unknown>>(`${path}?limit=${limit}${marker ? `&marker=${marker}` : ''}${extra}`, screen);
    const items = (body[key] as T[] | undefined) ?? [];
    out.push(...items);
    const next = Array.isArray(body[linksKey]) && (body[linksKey] as { rel: string }[]).some((l) => l.rel === 'next');
    if (out.length >= want || !next || items.length === 0) return out.slice(0, want);
    marker = items[items.length - 1]!.id;
  }
}

type ParentOf<T> = (t: T) => string | null | undefined;

/** A collection's children listing: where it lives, its wire keys, and how an item names its group. */
interface Children<T> {
  path: string;
  key: string;
  linksKey: string;
  parentOf: ParentOf<T>;
}

const VOLUMES: Children<Volume> = { path: '/volumes/detail', key: 'volumes', linksKey: 'volumes_links', parentOf: (v) => v.group_id };
const SNAPSHOTS: Children<Snapshot> = {
  path: '/group_snapshots/detail',
  key: 'group_snapshots',
  linksKey: 'group_snapshot_links',
  parentOf: (s) => s.group_id,
};

function partition<T>(items: T[], groupIds: string[], parentOf: ParentOf<T>): Map<string, T[]> {
  const out = new Map<string, T[]>(groupIds.map((id) => [id, []]));
  for (const item of items) out.get(parentOf(item) ?? '')?.push(item);
  return out;
}

/** A bounded full listing for `n` groups: complete (every child of any n groups) or null when over budget. */
async function boundedListing<T extends { id: string }>(c: Children<T>, n: number, screen: Screen): Promise<T[] | null> {
  const budget = n * BUDGET_PER_PARENT;
  const all = await listAll<T>(c.path, c.key, c.linksKey, budget + 1, screen);
  return all.length <= budget ? all : null;
}

/** One filtered listing per group. */
async function perGroup<T extends { id: string }>(c: Children<T>, groupIds: string[], screen: Screen): Promise<Map<string, T[]>> {
  const lists = await Promise.all(groupIds.map((id) => listAll<T>(c.path, c.key, c.linksKey, 10_000, screen, `&group_id=${id}`)));
  return new Map(groupIds.map((id, i) => [id, lists[i]!]));
}

/** Children of each group: one bounded full listing when several groups are asked for, else filtered listings. */
async function childrenOf<T extends { id: string }>(c: Children<T>, groupIds: string[], screen: Screen): Promise<Map<string, T[]>> {
  if (groupIds.length >= 2) {
    const all = await boundedListing(c, groupIds.length, screen);
    if (all) return partition(all, groupIds, c.parentOf);
  }
  return perGroup(c, groupIds, screen);
}

/**
 * The volumes of up to 50 groups in one listing (Cinder evaluates `group_id=["a","b"]` as a list), as the facade
 * reads them when Cinder is next door; more groups go the way of `childrenOf`.
 */
async function volumesOf(groupIds: string[], screen: Screen): Promise<Map<string, Volume[]>> {
  if (groupIds.length < 2 || groupIds.length > 50) return childrenOf(VOLUMES, groupIds, screen);
  const filter = `&group_id=${encodeURIComponent(JSON.stringify(groupIds))}`;
  const all = await listAll<Volume>(VOLUMES.path, VOLUMES.key, VOLUMES.linksKey, 10_000, screen, filter);
  return partition(all, groupIds, VOLUMES.parentOf);
}

const typeListing = (path: string, key: string, screen: Screen) =>
  listAll<Named>(path, key, `${key.slice(0, -1)}_links`, 10_000, screen).then((all) => new Map(all.map((t) => [t.id, t])));

/** Types by id: one show for a single id, one listing for several. */
async function typesById(ids: string[], showPath: string, showKey: string, listPath: string, listKey: string, screen: Screen) {
  const unique = [...new Set(ids)];
  if (unique.length === 1) {
    const one = (await get<Record<string, Named>>(`${showPath}/${unique[0]}`, screen))[showKey]!;
    return new Map([[one.id, one]]);
  }
  return typeListing(listPath, listKey, screen);
}

interface Linked {
  groupTypes: Map<string, Named>;
  volumeTypes: Map<string, Named>;
  volumes: Map<string, Volume[]>;
  snapshots: Map<string, Snapshot[]>;
}

const readPage = (n: number, screen: Screen) =>
  listAll<Group>('/groups/detail', 'groups', 'group_links', n + 1, screen, '&list_volume=true').then((g) => g.slice(0, n));

/** `lean`: the page, then what it links to, with the fewest items read. */
async function leanPlan(n: number, screen: Screen): Promise<[Group[], Linked]> {
  const page = await readPage(n, screen);
  const ids = page.map((g) => g.id);
  const [groupTypes, volumeTypes, volumes, snapshots] = await Promise.all([
    typesById(page.map((g) => g.group_type), '/group_types', 'group_type', '/group_types', 'group_types', screen),
    typesById(page.flatMap((g) => g.volume_types), '/types', 'volume_type', '/types', 'volume_types', screen),
    volumesOf(ids, screen),
    childrenOf(SNAPSHOTS, ids, screen),
  ]);
  return [page, { groupTypes, volumeTypes, volumes, snapshots }];
}

/** `ahead`: every read that does not need the page's ids leaves with it; an over-budget listing is read again. */
async function aheadPlan(n: number, screen: Screen): Promise<[Group[], Linked]> {
  const several = n >= 2;
  const [page, groupTypes, volumeTypes, allVolumes, allSnapshots] = await Promise.all([
    readPage(n, screen),
    typeListing('/group_types', 'group_types', screen),
    typeListing('/types', 'volume_types', screen),
    several ? boundedListing(VOLUMES, n, screen) : null,
    several ? boundedListing(SNAPSHOTS, n, screen) : null,
  ]);
  const ids = page.map((g) => g.id);
  const [volumes, snapshots] = await Promise.all([
    allVolumes ? partition(allVolumes, ids, VOLUMES.parentOf) : volumesOf(ids, screen),
    allSnapshots ? partition(allSnapshots, ids, SNAPSHOTS.parentOf) : perGroup(SNAPSHOTS, ids, screen),
  ]);
  return [page, { groupTypes, volumeTypes, volumes, snapshots }];
}

async function canonical(n: number, ahead: boolean, screen: Screen) {
  const [page, linked] = await (ahead ? aheadPlan(n, screen) : leanPlan(n, screen));
  const named = (t: Named | undefined) => (t ? { id: t.id, name: t.name } : null);
  return {
    data: {
      groups: {
        nodes: page.map((g) => {
          const snaps = linked.snapshots.get(g.id) ?? [];
          return {
            id: g.id,
            name: g.name,
            groupType: named(linked.groupTypes.get(g.group_type)),
            volumeTypes: g.volume_types.map((id) => named(linked.volumeTypes.get(id))).filter((t) => t !== null),
            volumes: (linked.volumes.get(g.id) ?? []).map((v) => ({ id: v.id, size: v.size, group: { id: g.id } })),
            snapshots: {
              totalCount: snaps.length,
              nodes: snaps.slice(0, 5).map((s) => ({ id: s.id, group: { id: s.group_id }, groupType: { id: s.group_type_id } })),
            },
          };
        }),
      },
    },
  };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void (async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: { n?: number } };
        const screen = { token: String(req.headers['x-auth-token'] ?? ''), requestId: `req-${randomUUID()}` };
        const ahead = req.headers['x-bench-plan'] === 'ahead';
        const text = JSON.stringify(await canonical(body.variables?.n ?? 50, ahead, screen));
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      } catch (err) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(err));
      }
    })();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

serveIpc(
  {
    cpu: () => cpuMicros(),
    memory: () => ({ rss: process.memoryUsage().rss }),
    exit: () => {
      server.closeAllConnections();
      server.close();
      void agent.close();
      setImmediate(() => process.exit(0));
    },
  },
  { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` },
);
