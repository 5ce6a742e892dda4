// npm run bench:logic: the facade's own CPU per canonical screen, without the wire. The upstream answers are
// recorded once from the Cinder simulator and then handed back already parsed, so what is measured is what the
// facade adds on top of the calls: the request context, loaders and planner, the executor (compiled, and
// graphql-js for comparison) and serialising the answer; then the compiled executor inside Apollo Server's request
// pipeline as the facade configures it (document cache, validation rules, guards, error formatting; logs, metrics
// and traces off). It runs compiled with the production node flags, as the facade does (through tsx, esbuild's
// name helpers were 4 % of its profile). `npm run bench` measures the whole process against the hand-written
// baseline. Rounds of either spread by about ±10 % on a shared 2-core machine: compare several runs' medians.
import { HeaderMap } from '@apollo/server';
import { type OperationDefinitionNode, parse } from 'graphql';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { loadConfig } from '../src/config.js';
import { type RequestContext, createContext } from '../src/context.js';
import { createGraphQLServer } from '../src/graphql/apollo.js';
import { compilingExecutor } from '../src/graphql/executor.js';
import { fallbackLogger } from '../src/observability/logger.js';
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

/** One way of answering the screen: its answer as the client would receive it (a JSON text). */
type Variant = (ctx: RequestContext) => Promise<string>;

const viaExecutor =
  (executor: ReturnType<typeof compilingExecutor>['executor']): Variant =>
  async (ctx) => {
    const result = (await executor(gatewayContext(ctx))) as { data?: { groups?: { nodes?: unknown[] } }; errors?: unknown[] };
    // A refused or failed screen is fast and the same every time: never a figure to report.
    if (result.errors?.length || result.data?.groups?.nodes?.length !== n) {
      throw new Error(`bench:logic: the screen did not come back whole: ${JSON.stringify(result).slice(0, 300)}`);
    }
    return JSON.stringify(result);
  };

const graphqlServer = createGraphQLServer({ limits: loadConfig({}).limits, development: false, compileAfter: 0, log: fallbackLogger() });
await graphqlServer.apollo.start();
const requestBody = { query: CINDER_SCREEN, variables: { n } };
const viaApollo: Variant = async (ctx) => {
  const headers = new HeaderMap([['content-type', 'application/json'], ['x-auth-token', TOKEN]]);
  const response = await graphqlServer.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: '', body: requestBody },
    context: async () => ctx,
  });
  if (response.body.kind !== 'complete' || (response.status ?? 200) !== 200) throw new Error('bench:logic: Apollo did not answer the screen with a 200');
  return response.body.string;
};

async function screen(variant: Variant): Promise<string> {
  const ctx = createContext(upstreams, about, TOKEN, 10_000);
  try {
    return await variant(ctx);
  } finally {
    ctx.dispose();
  }
}

const compiled = viaExecutor(compilingExecutor(schema, { compileAfter: 0 }).executor);
const interpreted = viaExecutor(compilingExecutor(schema, { compileAfter: Infinity }).executor);
const expected = await screen(compiled);
// Twice: the same page read again sends the volume read guessed from the first, which the replay must hold too.
if ((await screen(compiled)) !== expected) throw new Error('bench:logic: the screen changed while it was recorded');
// Replay: the same answers, already parsed; a request the recording does not hold is a bench error.
http.as = async (_caller, req) => {
  const res = recorded.get(keyOf(req));
  if (!res) throw new Error(`bench:logic: no recorded answer for ${keyOf(req)}`);
  return res;
};
if ((await screen(compiled)) !== expected || (await screen(interpreted)) !== expected) {
  throw new Error('bench:logic: the replayed screen differs from the recorded one');
}
// Apollo's answer is the same data with the guards' cost in `extensions` (parsed once here, not in the loop).
const expectedViaApollo = await screen(viaApollo);
const apolloAnswer = JSON.parse(expectedViaApollo) as { data?: unknown; errors?: unknown };
if (apolloAnswer.errors || JSON.stringify({ data: apolloAnswer.data }) !== expected) {
  throw new Error(`bench:logic: Apollo's answer differs from the executor's: ${expectedViaApollo.slice(0, 300)}`);
}
const expectedOf = new Map<Variant, string>([[compiled, expected], [interpreted, expected], [viaApollo, expectedViaApollo]]);

async function measure(run: Variant): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let requests = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        if ((await screen(run)) !== expectedOf.get(run)) throw new Error('bench:logic: a replayed screen differs');
        requests++;
      }
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests / 1000;
}

const variants = { compiled, interpreted, 'in Apollo': viaApollo };
const results = Object.fromEntries(Object.keys(variants).map((name) => [name, [] as number[]]));
await measure(compiled); // warm-up
await measure(viaApollo);
for (let i = 0; i < rounds; i++) {
  for (const [name, variant] of Object.entries(variants)) results[name]!.push(await measure(variant));
}
console.log(`canonical screen (N = ${n} of 50 groups, ${recorded.size} upstream answers replayed), ${concurrency} at a time, ${rounds} × ${seconds} s each:`);
for (const [name, xs] of Object.entries(results)) {
  console.log(`  ${name.padEnd(12)} median ${median(xs).toFixed(3)} CPU ms per screen (rounds ${xs.map((x) => x.toFixed(3)).join(' ')})`);
}
await graphqlServer.apollo.stop();
await sim.close();
await agent.close();
