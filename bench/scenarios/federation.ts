// Scenario 9 (issue 22): the canonical screen through a router (Hive Gateway, examples/router.ts settings) vs
// straight to the facade, and `_entities` upstream calls at 1, 10 and 100 representations.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeSupergraph } from '../../examples/compose.js';
import { OWNERSHIP_SDL, startOwnershipSubgraph } from '../../examples/ownership/server.js';
import { subgraphSdl } from '../../src/federation/subgraph.js';
import { buildSchema } from '../../src/schema.js';
import { gql, gqlBody } from '../client.js';
import type { BenchChild } from '../ipc.js';
import { type LoadResult, load } from '../load.js';
import type { Plan } from '../plan.js';
import { graphqlBody } from '../queries.js';
import { fmt, type Row } from '../report.js';
import type { ScreenSpec } from './calls.js';

interface Window {
  load: LoadResult;
  /** CPU of the facade process and of the router process during the window, µs. */
  facadeCpu: number;
  routerCpu: number;
}

/** Warm-up, then one measured window with CPU read around it. */
async function window(facade: BenchChild, routerCpu: () => number, url: string, body: string, connections: number, plan: Plan): Promise<Window> {
  await load({ url, body, connections, durationSec: plan.warmSec });
  const [f0, r0] = [await facade.call<number>('cpu'), routerCpu()];
  const result = await load({ url, body, connections, durationSec: plan.loadSec });
  const [f1, r1] = [await facade.call<number>('cpu'), routerCpu()];
  if (result.failures > 0) throw new Error(`federation: ${result.failures} failed requests to ${url}`);
  return { load: result, facadeCpu: f1 - f0, routerCpu: r1 - r0 };
}

/** CPU time of a process, µs, from /proc (Linux): the router runs as its own process, as it is deployed. */
function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, fields 14 and 15 of stat(5), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/**
 * The `hive-gateway` CLI on the composed supergraph, with examples/router.ts's settings (docs/deploy.md) and the
 * router's merging of identical in-flight fetches off: autocannon sends one body with one token over and over,
 * and merged, the facade would run a fraction of the requests. Off, the ratio is the cost of routing a request.
 */
async function startRouter(facadeUrl: string) {
  const ownership = await startOwnershipSubgraph();
  const supergraph = composeSupergraph([
    { name: 'groupgraph', url: facadeUrl, sdl: subgraphSdl(buildSchema()) },
    { name: 'ownership', url: ownership.url, sdl: OWNERSHIP_SDL },
  ]);
  // Under node_modules so the config resolves @graphql-hive/gateway as examples/gateway.config.ts does.
  const dir = new URL('../../node_modules/.cache/groupgraph-bench/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('supergraph.graphql', dir), supergraph);
  const router = new URL('../../examples/router.ts', import.meta.url).pathname;
  writeFileSync(
    new URL('gateway.config.ts', dir),
    `import { defineConfig } from '@graphql-hive/gateway';\nimport { ROUTER_OPTIONS } from '${router}';\n` +
      `export const gatewayConfig = defineConfig({ ...ROUTER_OPTIONS, transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } } });\n`,
  );
  const port = await freePort();
  const bin = new URL('../../node_modules/@graphql-hive/gateway/dist/bin.js', import.meta.url).pathname;
  const proc = spawn(process.execPath, [bin, 'supergraph', new URL('supergraph.graphql', dir).pathname, '-c', new URL('gateway.config.ts', dir).pathname, '-p', String(port), '-h', '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await untilAnswering(url);
  return {
    url,
    cpu: () => processCpuMicros(proc.pid!),
    close: async () => {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      await exited;
      await ownership.stop();
    },
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function untilAnswering(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const up = await fetch(url.replace(/graphql$/, 'healthcheck')).then((r) => r.ok, () => false);
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the router did not start at ${url}`);
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
    const run = (url: string, connections: number) => window(facade, router.cpu, url, body, connections, plan);
    const alone = { direct: await run(facadeUrl, 1), routed: await run(router.url, 1) };
    const busy = { direct: await run(facadeUrl, plan.cpuConnections), routed: await run(router.url, plan.cpuConnections) };
    const routerCpu = perReq(busy.routed.routerCpu, busy.routed);
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
          `vs ${fmt(facadeDirect, 2)} direct (hive-gateway CLI, its own process)`,
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
