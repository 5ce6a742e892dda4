// Scenario 9 (issue 22): the canonical screen through a router (Hive Gateway, examples/router.ts settings) vs
// straight to the facade, and `_entities` upstream calls at 1, 10 and 100 representations.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { composeSupergraph } from '../../examples/compose.js';
import { OWNERSHIP_SDL, startOwnershipSubgraph } from '../../examples/ownership/server.js';
import { ROUTER_OPTIONS } from '../../examples/router.js';
import { subgraphSdl } from '../../src/federation/subgraph.js';
import { buildSchema } from '../../src/schema.js';
import { gql, gqlBody } from '../client.js';
import { type BenchChild, cpuMicros } from '../ipc.js';
import { type LoadResult, load } from '../load.js';
import type { Plan } from '../plan.js';
import { graphqlBody } from '../queries.js';
import { fmt, type Row } from '../report.js';
import type { ScreenSpec } from './calls.js';

interface Window {
  load: LoadResult;
  /** CPU of the facade process and of this process (the router runs here, beside the load generator), µs. */
  facadeCpu: number;
  hereCpu: number;
}

/** Warm-up, then one measured window with CPU read around it. */
async function window(facade: BenchChild, url: string, body: string, connections: number, plan: Plan): Promise<Window> {
  await load({ url, body, connections, durationSec: plan.warmSec });
  const [f0, h0] = [await facade.call<number>('cpu'), cpuMicros()];
  const result = await load({ url, body, connections, durationSec: plan.loadSec });
  const [f1, h1] = [await facade.call<number>('cpu'), cpuMicros()];
  if (result.failures > 0) throw new Error(`federation: ${result.failures} failed requests to ${url}`);
  return { load: result, facadeCpu: f1 - f0, hereCpu: h1 - h0 };
}

async function startRouter(facadeUrl: string) {
  const ownership = await startOwnershipSubgraph();
  const supergraph = composeSupergraph([
    { name: 'groupgraph', url: facadeUrl, sdl: subgraphSdl(buildSchema()) },
    { name: 'ownership', url: ownership.url, sdl: OWNERSHIP_SDL },
  ]);
  // autocannon sends one body with one token over and over: the router would merge identical in-flight fetches of
  // a caller into one (its default), and the facade would run a fraction of the requests. Off, every request
  // reaches the facade once, and the ratio is the cost of routing a request.
  const transportEntries = { '*.http': { options: { deduplicateInflightRequests: false } } };
  const gateway = createGatewayRuntime({ supergraph, ...ROUTER_OPTIONS, transportEntries, logging: false });
  const server: Server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await gateway.dispose();
      await ownership.stop();
    },
  };
}

const perReq = (us: number, w: Window) => us / w.load.requests / 1000;

/** `largeUrl`: a facade over a project of more than 100 groups, for the `_entities` calls. */
export async function federationScenario(
  facade: BenchChild,
  sims: BenchChild,
  facadeUrl: string,
  largeUrl: string,
  spec: ScreenSpec,
  plan: Plan,
): Promise<Row[]> {
  const router = await startRouter(facadeUrl);
  try {
    const body = graphqlBody(spec.query, plan.screenN);
    const direct = await gql(facadeUrl, spec.query, plan.screenN);
    const routed = await gql(router.url, spec.query, plan.screenN);
    if (JSON.stringify(direct.value) !== JSON.stringify(routed.value)) throw new Error('the router does not answer what the facade answers');
    // Latency alone (one connection), then CPU flat out (the CPU scenario's connections).
    const alone = { direct: await window(facade, facadeUrl, body, 1, plan), routed: await window(facade, router.url, body, 1, plan) };
    const busy = {
      direct: await window(facade, facadeUrl, body, plan.cpuConnections, plan),
      routed: await window(facade, router.url, body, plan.cpuConnections, plan),
    };
    // The router's CPU: what this process spent beyond the direct run's (the load generator's share is the same).
    const routerCpu = perReq(busy.routed.hereCpu, busy.routed) - perReq(busy.direct.hereCpu, busy.direct);
    const facadeDirect = perReq(busy.direct.facadeCpu, busy.direct);
    const facadeRouted = perReq(busy.routed.facadeCpu, busy.routed);
    const ratio = (facadeRouted + routerCpu) / facadeDirect;
    const label = `${spec.label} N=${plan.screenN}`;
    const rows: Row[] = [
      {
        scenario: `federation: ${label} straight to the facade, 1 conn`,
        p50: alone.direct.load.p50,
        p99: alone.direct.load.p99,
        rps: alone.direct.load.rps,
        notes: `flat out (${plan.cpuConnections} conns): ${fmt(busy.direct.load.rps)} req/s, facade CPU ${fmt(facadeDirect, 2)} ms/req`,
      },
      {
        scenario: `federation: ${label} through Hive Gateway, 1 conn`,
        p50: alone.routed.load.p50,
        p99: alone.routed.load.p99,
        rps: alone.routed.load.rps,
        vsBaseline: `CPU ${fmt(ratio, 2)}×`,
        notes:
          `+${fmt(alone.routed.load.p50 - alone.direct.load.p50, 2)} ms p50, +${fmt(alone.routed.load.p99 - alone.direct.load.p99, 2)} ms p99 vs direct; ` +
          `flat out: ${fmt(busy.routed.load.rps)} req/s, router ${fmt(routerCpu, 2)} + facade ${fmt(facadeRouted, 2)} ms CPU/req ` +
          `vs ${fmt(facadeDirect, 2)} direct (router in the bench process: its CPU beyond the direct run's)`,
        detail: { alone, busy, routerCpu, facadeDirect, facadeRouted, ratio },
      },
    ];
    rows.push(await entitiesCalls(largeUrl, sims));
    return rows;
  } finally {
    await router.close();
  }
}

/** Upstream calls of one `_entities` request of 1, 10 and 100 Group representations, and of a page of 100 groups. */
async function entitiesCalls(url: string, sims: BenchChild): Promise<Row> {
  const page = await gqlBody<any>(url, JSON.stringify({ query: '{ groups(first: 100) { nodes { id } } }' }), { 'x-auth-token': 'federation-ids' });
  const ids: string[] = page.value.groups.nodes.map((g: { id: string }) => g.id);
  const callsOf = async (body: string, token: string) => {
    await sims.call('resetCalls');
    await gqlBody(url, body, { 'x-auth-token': token });
    const counts = await sims.call<Record<string, number>>('callCounts');
    return Object.values(counts).reduce((a, n) => a + n, 0);
  };
  const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Group { id name status } } }';
  const calls: Record<string, number> = {};
  for (const n of [1, 10, 100]) {
    const r = ids.slice(0, n).map((id) => ({ __typename: 'Group', id }));
    calls[n] = await callsOf(JSON.stringify({ query, variables: { r } }), `federation-entities-${n}`);
  }
  const pageCalls = await callsOf(JSON.stringify({ query: '{ groups(first: 100) { nodes { id name status } } }' }), 'federation-page-100');
  return {
    scenario: '_entities: upstream calls at 1 / 10 / 100 Group representations',
    callsPerQuery: calls[100],
    notes: `${calls[1]} / ${calls[10]} / ${calls[100]} calls; a page of 100 groups: ${pageCalls}`,
    detail: { calls, pageCalls },
  };
}
