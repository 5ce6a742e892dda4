// Scenario 4: the same screen fetched the way a browser would without the facade, at most six connections per
// host, every request paying a client round trip: by a client composing listings (the main row, issue 19), and
// by the group list then per-group calls; against one GraphQL request paying one round trip. Upstream calls are
// delayed by d in every case.
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import type { BenchChild } from '../ipc.js';
import type { Plan } from '../plan.js';
import { TOKEN, graphqlBody } from '../queries.js';
import { fmt, type Row } from '../report.js';
import { percentile, sleep } from '../stats.js';

const BROWSER_CONNECTIONS_PER_HOST = 6;

/** A browser's per-host connection limit: a request holds a slot from send until its response has arrived. */
class HostSlots {
  private free = BROWSER_CONNECTIONS_PER_HOST;
  private readonly waiting: (() => void)[] = [];

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

interface Client {
  get<T>(url: string): Promise<T>;
  post<T>(url: string, body: string): Promise<T>;
  requests: number;
}

/** Every request: half the RTT out, the server's time, half the RTT back, all inside one connection slot. */
function browser(agent: Agent, rttMs: number, headers: Record<string, string>): Client {
  const slots = new HostSlots();
  const client: Client = {
    requests: 0,
    get: (url) => client.post(url, ''),
    post: <T>(url: string, body: string) =>
      slots.run(async () => {
        client.requests++;
        await sleep(rttMs / 2);
        const res = await request(url, {
          method: body ? 'POST' : 'GET',
          dispatcher: agent,
          headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
          body: body || undefined,
        });
        const parsed = (await res.body.json()) as T;
        if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}`);
        await sleep(rttMs / 2);
        return parsed;
      }),
  };
  return client;
}

interface Group {
  id: string;
  group_type: string;
  volume_types: string[];
}

/**
 * The screen as a single-page app would load it: the list, then for each group its type, volume types,
 * volumes and snapshots. Identical URLs are fetched once (as a query cache such as react-query would).
 */
async function restWaterfall(client: Client, endpoint: string, n: number): Promise<void> {
  const cache = new Map<string, Promise<unknown>>();
  const once = (url: string) => {
    let p = cache.get(url);
    if (!p) cache.set(url, (p = client.get(url)));
    return p;
  };
  const { groups } = (await once(`${endpoint}/groups/detail?limit=${n}`)) as { groups: Group[] };
  await Promise.all(
    groups.flatMap((g) => [
      once(`${endpoint}/group_types/${g.group_type}`),
      ...g.volume_types.map((t) => once(`${endpoint}/types/${t}`)),
      once(`${endpoint}/volumes/detail?group_id=${g.id}`),
      once(`${endpoint}/group_snapshots/detail?group_id=${g.id}`),
    ]),
  );
}

/**
 * The screen as a client composing listings by hand would load it: the list, then one listing per linked
 * collection (types, every volume, every group snapshot, partitioned locally): two round trips, five requests.
 */
async function listingClient(client: Client, endpoint: string, n: number): Promise<void> {
  const { groups } = (await client.get(`${endpoint}/groups/detail?limit=${n}`)) as { groups: Group[] };
  const ids = new Set(groups.map((g) => g.id));
  const [, , volumes, snapshots] = (await Promise.all([
    client.get(`${endpoint}/group_types`),
    client.get(`${endpoint}/types`),
    client.get(`${endpoint}/volumes/detail?limit=1000`),
    client.get(`${endpoint}/group_snapshots/detail?limit=1000`),
  ])) as [unknown, unknown, { volumes: { group_id?: string }[] }, { group_snapshots: { group_id: string }[] }];
  const mine = [...volumes.volumes, ...snapshots.group_snapshots].filter((x) => ids.has(x.group_id ?? ''));
  if (groups.length > 0 && mine.length === 0) throw new Error('listing client: no volume or snapshot of the page found');
}

export async function waterfallScenario(sims: BenchChild, cinderEndpoint: string, facadeUrl: string, query: string, dataset: string, plan: Plan) {
  const headers = { accept: 'application/json', 'x-auth-token': TOKEN, 'openstack-api-version': 'volume 3.70' };
  const agent = new Agent({ connections: BROWSER_CONNECTIONS_PER_HOST });
  const body = graphqlBody(query, plan.screenN);
  await sims.call('setDelay', plan.delayMs);
  const rest: number[] = [];
  const listing: number[] = [];
  const graph: number[] = [];
  let restRequests = 0;
  let listingRequests = 0;
  const timed = async (work: () => Promise<unknown>) => {
    const t = performance.now();
    await work();
    return performance.now() - t;
  };
  try {
    for (let i = -2; i < plan.waterfallRuns; i++) {
      // A fresh "page load" each time: new slots, empty cache; warm connections like a browser tab that stays open.
      const a = browser(agent, plan.clientRttMs, headers);
      const restMs = await timed(() => restWaterfall(a, cinderEndpoint, plan.screenN));
      const l = browser(agent, plan.clientRttMs, headers);
      const listingMs = await timed(() => listingClient(l, cinderEndpoint, plan.screenN));
      const g = browser(agent, plan.clientRttMs, headers);
      const graphMs = await timed(() => g.post(facadeUrl, body));
      if (i < 0) continue; // warm-up
      rest.push(restMs);
      listing.push(listingMs);
      graph.push(graphMs);
      restRequests = a.requests;
      listingRequests = l.requests;
    }
  } finally {
    await sims.call('setDelay', 0);
    await agent.close();
  }
  const floor = plan.clientRttMs + 2 * plan.delayMs;
  const restP50 = percentile(rest, 50);
  const listingP50 = percentile(listing, 50);
  const graphP50 = percentile(graph, 50);
  const rows: Row[] = [
    {
      scenario: `browser client composing listings, N=${plan.screenN} (${dataset}), RTT ${plan.clientRttMs} ms, d=${plan.delayMs}`,
      callsPerQuery: listingRequests,
      p50: listingP50,
      p99: percentile(listing, 99),
      vsBaseline: '1×',
      notes: `the main comparison (issue 19): list, then types, volumes and group snapshots listings, partitioned locally: 2 round trips; ${BROWSER_CONNECTIONS_PER_HOST} connections per host`,
      detail: { samples: listing },
    },
    {
      scenario: `browser REST waterfall per group, same screen, RTT ${plan.clientRttMs} ms, d=${plan.delayMs}`,
      callsPerQuery: restRequests,
      p50: restP50,
      p99: percentile(rest, 99),
      vsBaseline: `${fmt(restP50 / listingP50, 2)}× the listing client (p50)`,
      notes: `list, then per-group calls; ${BROWSER_CONNECTIONS_PER_HOST} connections per host; identical URLs fetched once`,
      detail: { samples: rest },
    },
    {
      scenario: `one GraphQL request, same screen, RTT ${plan.clientRttMs} ms, d=${plan.delayMs}`,
      callsPerQuery: 1,
      p50: graphP50,
      p99: percentile(graph, 99),
      vsFloor: `${fmt(graphP50 / floor, 2)}× (+${fmt(graphP50 - floor)} ms)`,
      vsBaseline: `listing client ${fmt(listingP50 / graphP50, 2)}×, per-group waterfall ${fmt(restP50 / graphP50, 2)}× slower (p50)`,
      notes: `floor = RTT + 2×d = ${floor} ms`,
      detail: { samples: graph },
    },
  ];
  return rows;
}
