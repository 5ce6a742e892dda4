// Scenario 1: upstream calls per canonical query as N grows, from the simulator's call log; plus the wall
// time of the same query run alone with every upstream call delayed (so extra round trips show up as time).
import type { BenchChild } from '../ipc.js';
import { gql } from '../client.js';
import type { Plan } from '../plan.js';
import type { Row } from '../report.js';
import { fmt } from '../report.js';
import { percentile } from '../stats.js';

export interface ScreenSpec {
  /** Label in the table, e.g. "cinder groups". */
  label: string;
  query: string;
  /** Top-level field of the query (groups / shareGroups). */
  field: string;
  /** Linked collections the query follows: the target is 1 + K calls. */
  links: number;
  /** Simulator (dataset) the facade reads, as named in the simulator process. */
  sim: string;
  /** Human description of the dataset, e.g. "1005 groups". */
  dataset: string;
}

/**
 * Depth of the canonical query's dependency chain: the page, then its linked collections. The floor the issue
 * sets is this × d; the facade's look-ahead can beat it by sending the linked listings with the page.
 */
export const CHAIN_DEPTH = 2;

async function timedRuns(url: string, spec: ScreenSpec, n: number, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push((await gql(url, spec.query, n)).ms);
  return out;
}

/** Groups calls by endpoint, e.g. {"GET /volumes/detail": 3}, to show what a plan spent its calls on. */
function byEndpoint(calls: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) {
    const [method, url = ''] = c.split(' ');
    const path = url.split('?')[0]!.replace(/\/v[0-9.]+\/[0-9a-f]{32}/, '').replace(/[0-9a-f-]{36}/g, '{id}');
    const key = `${method} ${path}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

export async function callsScenario(
  sims: BenchChild,
  facadeUrl: string,
  spec: ScreenSpec,
  sizes: number[],
  plan: Plan,
): Promise<Row[]> {
  const rows: Row[] = [];
  await sims.call('setDelay', 0);
  for (const n of sizes) {
    await sims.call('resetCalls');
    const first = await gql<Record<string, { nodes: unknown[] }>>(facadeUrl, spec.query, n);
    const calls = await sims.call<string[]>('calls', spec.sim);
    const returned = first.value[spec.field]!.nodes.length;

    // The biggest page costs ~100× the smallest: fewer samples keep the whole run inside its budget.
    const runs = n >= 1000 ? Math.max(3, Math.ceil(plan.sequentialRuns / 4)) : plan.sequentialRuns;
    await timedRuns(facadeUrl, spec, n, runs); // warm-up
    const cpuBound = await timedRuns(facadeUrl, spec, n, runs);
    await sims.call('setDelay', plan.delayMs);
    // A few delayed runs first: the planner reads ahead only once it has seen that round trips got slow.
    await timedRuns(facadeUrl, spec, n, 5);
    // With every answer delayed, calls the facade sent before any answer came back form one round trip.
    await sims.call('resetCalls');
    await gql(facadeUrl, spec.query, n);
    const roundTrips = await sims.call<number>('roundTrips', spec.sim);
    const delayedCalls = (await sims.call<string[]>('calls', spec.sim)).length;
    const delayed = await timedRuns(facadeUrl, spec, n, runs);
    await sims.call('setDelay', 0);

    const floor = CHAIN_DEPTH * plan.delayMs;
    const p50 = percentile(delayed, 50);
    const target = 1 + spec.links;
    const naive = 1 + spec.links * returned;
    rows.push({
      scenario: `calls: ${spec.label} N=${n} (${spec.dataset})`,
      callsPerQuery: calls.length,
      p50,
      p99: percentile(delayed, 99),
      vsFloor: `${fmt(p50 / floor, 2)}× (+${fmt(p50 - floor)} ms)`,
      vsBaseline: `${fmt(calls.length / target, 2)}× 1+K=${target}; ${fmt(calls.length / naive, 3)}× naive ${naive}`,
      notes: `${roundTrips} round trip${roundTrips === 1 ? '' : 's'} of ${delayedCalls} upstream calls at d=${plan.delayMs} (${calls.length} at d=0); sequential, d=${plan.delayMs} ms (floor ${floor} ms); d=0 p50 ${fmt(percentile(cpuBound, 50))} ms; ${returned} returned`,
      detail: { n, returned, calls: calls.length, delayedCalls, roundTrips, byEndpoint: byEndpoint(calls), delayedMs: delayed, cpuBoundMs: cpuBound },
    });
  }
  return rows;
}
