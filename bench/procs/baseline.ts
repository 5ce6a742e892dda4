// Bench child: the canonical Cinder screen composed by hand — the CPU yardstick for the facade. The same undici
// and Agent settings as the facade, called through request() as hand-written code would (the facade itself uses
// the lower-level dispatch(); see src/upstreams/http.ts), the same upstream calls as the facade makes with Cinder
// next door (d = 0: one list, then the linked collections in parallel), and the same JSON the facade answers,
// assembled directly. No GraphQL, no DataLoader.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { createAgent } from '../../src/upstreams/http.js';
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
const agent = createAgent({ connectMs: 3_000, headersMs: 5_000, bodyMs: 5_000 });
const MAX_LIMIT = 1000;
// The facade's planner reads one full listing for several parents while it stays under 50 items per parent.
const BUDGET_PER_PARENT = 50;

async function get<T>(path: string, token: string): Promise<T> {
  const res = await request(`${endpoint}${path}`, {
    method: 'GET',
    dispatcher: agent,
    headers: {
      accept: 'application/json',
      'x-auth-token': token,
      'x-openstack-request-id': `req-${randomUUID()}`,
      'openstack-api-version': 'volume 3.70',
    },
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`GET ${path}: HTTP ${res.statusCode}`);
  return JSON.parse(text) as T;
}

/** Follows limit/marker pages until `want` items or the end. */
async function listAll<T extends { id: string }>(path: string, key: string, linksKey: string, want: number, token: string, extra = '') {
  const out: T[] = [];
  let marker: string | undefined;
  for (;;) {
    const limit = Math.min(want - out.length, MAX_LIMIT);
    const body = await get<Record<string, unknown>>(`${path}?limit=${limit}${marker ? `&marker=${marker}` : ''}${extra}`, token);
    const items = (body[key] as T[] | undefined) ?? [];
    out.push(...items);
    const next = Array.isArray(body[linksKey]) && (body[linksKey] as { rel: string }[]).some((l) => l.rel === 'next');
    if (out.length >= want || !next || items.length === 0) return out.slice(0, want);
    marker = items[items.length - 1]!.id;
  }
}

/** Children of each group: one bounded full listing when several groups are asked for, else filtered listings. */
async function childrenOf<T extends { id: string }>(
  groupIds: string[],
  parentOf: (t: T) => string | null | undefined,
  path: string,
  key: string,
  linksKey: string,
  token: string,
): Promise<Map<string, T[]>> {
  const out = new Map<string, T[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length >= 2) {
    const budget = groupIds.length * BUDGET_PER_PARENT;
    const all = await listAll<T>(path, key, linksKey, budget + 1, token);
    if (all.length <= budget) {
      for (const item of all) out.get(parentOf(item) ?? '')?.push(item);
      return out;
    }
  }
  await Promise.all(
    groupIds.map(async (id) => out.set(id, await listAll<T>(path, key, linksKey, 10_000, token, `&group_id=${id}`))),
  );
  return out;
}

/**
 * The volumes of up to 50 groups in one listing (Cinder evaluates `group_id=["a","b"]` as a list), as the facade
 * reads them when Cinder is next door; more groups, or a failed read, go the way of `childrenOf`.
 */
async function volumesOf(groupIds: string[], token: string): Promise<Map<string, Volume[]>> {
  if (groupIds.length < 2 || groupIds.length > 50) {
    return childrenOf<Volume>(groupIds, (v) => v.group_id, '/volumes/detail', 'volumes', 'volumes_links', token);
  }
  const filter = `&group_id=${encodeURIComponent(JSON.stringify(groupIds))}`;
  const all = await listAll<Volume>('/volumes/detail', 'volumes', 'volumes_links', 10_000, token, filter);
  const out = new Map<string, Volume[]>(groupIds.map((id) => [id, []]));
  for (const v of all) out.get(v.group_id ?? '')?.push(v);
  return out;
}

/** Types by id: one show for a single id, one listing for several. */
async function typesById(ids: string[], showPath: string, showKey: string, listPath: string, listKey: string, token: string) {
  const unique = [...new Set(ids)];
  if (unique.length === 1) {
    const one = (await get<Record<string, Named>>(`${showPath}/${unique[0]}`, token))[showKey]!;
    return new Map([[one.id, one]]);
  }
  const all = await listAll<Named>(listPath, listKey, `${listKey.slice(0, -1)}_links`, 10_000, token);
  return new Map(all.map((t) => [t.id, t]));
}

async function canonical(n: number, token: string) {
  const groups = await listAll<Group>('/groups/detail', 'groups', 'group_links', n + 1, token, '&list_volume=true');
  const page = groups.slice(0, n);
  const ids = page.map((g) => g.id);
  const [groupTypes, volumeTypes, volumes, snapshots] = await Promise.all([
    typesById(page.map((g) => g.group_type), '/group_types', 'group_type', '/group_types', 'group_types', token),
    typesById(page.flatMap((g) => g.volume_types), '/types', 'volume_type', '/types', 'volume_types', token),
    volumesOf(ids, token),
    childrenOf<Snapshot>(ids, (s) => s.group_id, '/group_snapshots/detail', 'group_snapshots', 'group_snapshot_links', token),
  ]);
  const named = (t: Named | undefined) => (t ? { id: t.id, name: t.name } : null);
  return {
    data: {
      groups: {
        nodes: page.map((g) => {
          const snaps = snapshots.get(g.id) ?? [];
          return {
            id: g.id,
            name: g.name,
            groupType: named(groupTypes.get(g.group_type)),
            volumeTypes: g.volume_types.map((id) => named(volumeTypes.get(id))).filter((t) => t !== null),
            volumes: (volumes.get(g.id) ?? []).map((v) => ({ id: v.id, size: v.size, group: { id: g.id } })),
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
        const token = String(req.headers['x-auth-token'] ?? '');
        const text = JSON.stringify(await canonical(body.variables?.n ?? 50, token));
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
