// npm run bench:logic: the facade's own CPU per canonical screen, without the wire. The upstream answers are
// recorded once from the Cinder simulator and then handed back already parsed, so what is measured is what the
// facade adds on top of the calls: the request context, loaders and planner, the executor (compiled, and
// graphql-js for comparison) and serialising the answer. `npm run bench` measures the whole process against the
// hand-written baseline; on a shared 2-core machine its noise hides changes of a few percent, this does not.
import { type OperationDefinitionNode, parse } from 'graphql';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { createContext } from '../src/context.js';
import { compilingExecutor } from '../src/graphql/executor.js';
import { buildSchema } from '../src/schema.js';
import { startCinderSimulator } from '../src/simulator/cinder/index.js';
import { CinderClient } from '../src/upstreams/cinder/client.js';
import { createAgent } from '../src/upstreams/http.js';
import type { UpstreamResponse } from '../src/upstreams/http.js';
import { CINDER_SCREEN, TOKEN } from './queries.js';
import { median } from './stats.js';

const seconds = Number(process.env.BENCH_LOGIC_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_LOGIC_ROUNDS ?? 5);
const concurrency = 4;
const n = 10;

const sim = await startCinderSimulator({ extraGroups: 45 });
const agent = createAgent();
const cinder = new CinderClient(sim.endpoint, agent);
const upstreams = { cinder, manila: null, sdrs: null };
const about = {} as Parameters<typeof createContext>[1];
const schema = buildSchema();
const document = parse(CINDER_SCREEN);
// Apollo hands the executor the operation it resolved; without it the executor refuses the request (a 400).
const operation = document.definitions[0] as OperationDefinitionNode;

// Record: every distinct upstream GET of the screen, answered once over HTTP.
const http = cinder.http;
const send = http.as.bind(http);
const recorded = new Map<string, UpstreamResponse>();
const keyOf = (req: { path: string; query?: Record<string, unknown> }) => `${req.path} ${JSON.stringify(req.query ?? {})}`;
http.as = async (caller, req) => {
  const res = await send(caller, req);
  recorded.set(keyOf(req), res);
  return res;
};

function gatewayContext(context: unknown): GatewayGraphQLRequestContext {
  return {
    queryHash: 'canonical',
    operationName: null,
    document,
    operation,
    source: CINDER_SCREEN,
    context,
    request: { query: CINDER_SCREEN, variables: { n } },
  } as unknown as GatewayGraphQLRequestContext;
}

async function screen(run: (rc: GatewayGraphQLRequestContext) => Promise<unknown>): Promise<number> {
  const ctx = createContext(upstreams, about, TOKEN, 10_000);
  try {
    const result = (await run(gatewayContext(ctx))) as { data?: { groups?: { nodes?: unknown[] } }; errors?: unknown[] };
    // A refused or failed screen is fast and the same every time: never a figure to report.
    if (result.errors?.length || result.data?.groups?.nodes?.length !== n) {
      throw new Error(`bench:logic: the screen did not come back whole: ${JSON.stringify(result).slice(0, 300)}`);
    }
    return JSON.stringify(result).length;
  } finally {
    ctx.dispose();
  }
}

const compiled = compilingExecutor(schema, { compileAfter: 0 });
const interpreted = compilingExecutor(schema, { compileAfter: Infinity });
const expected = await screen(compiled.executor);
// Twice: the same page read again sends the volume read guessed from the first, which the replay must hold too.
if ((await screen(compiled.executor)) !== expected) throw new Error('bench:logic: the screen changed while it was recorded');
// Replay: the same answers, already parsed; a request the recording does not hold is a bench error.
http.as = async (_caller, req) => {
  const res = recorded.get(keyOf(req));
  if (!res) throw new Error(`bench:logic: no recorded answer for ${keyOf(req)}`);
  return res;
};
if ((await screen(compiled.executor)) !== expected || (await screen(interpreted.executor)) !== expected) {
  throw new Error('bench:logic: the replayed screen differs from the recorded one');
}

async function measure(run: (rc: GatewayGraphQLRequestContext) => Promise<unknown>): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let requests = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        if ((await screen(run)) !== expected) throw new Error('bench:logic: a replayed screen differs');
        requests++;
      }
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests / 1000;
}

const results = { compiled: [] as number[], interpreted: [] as number[] };
await measure(compiled.executor); // warm-up
for (let i = 0; i < rounds; i++) {
  results.compiled.push(await measure(compiled.executor));
  results.interpreted.push(await measure(interpreted.executor));
}
console.log(`canonical screen (N = ${n} of 50 groups, ${recorded.size} upstream answers replayed), ${concurrency} at a time, ${rounds} × ${seconds} s each:`);
for (const [name, xs] of Object.entries(results)) {
  console.log(`  ${name.padEnd(12)} median ${median(xs).toFixed(3)} CPU ms per screen (rounds ${xs.map((x) => x.toFixed(3)).join(' ')})`);
}
await sim.close();
await agent.close();
