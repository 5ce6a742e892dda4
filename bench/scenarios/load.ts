// Scenarios 2 and 3: the facade under autocannon — at a fixed rate with delayed upstreams (round trips), and
// flat out with instant upstreams (CPU per request, against the hand-written composition).
import type { BenchChild } from '../ipc.js';
import { type LoadResult, load } from '../load.js';
import { type Window, cpuMsPerRequest, pairedWindow, windowRatios } from '../paired.js';
import type { Plan } from '../plan.js';
import { graphqlBody } from '../queries.js';
import { MB, percentile } from '../stats.js';
import { gql } from '../client.js';
import { fmt, type Row } from '../report.js';
import { CHAIN_DEPTH, type ScreenSpec } from './calls.js';

export interface Measured {
  load: LoadResult;
  /** CPU microseconds the target process used during the measured window. */
  cpuMicros: number;
  /** Upstream calls per completed request during the window. */
  callsPerQuery: number;
  /** Simulator-process CPU microseconds per request. */
  simCpuPerRequest: number;
  /** Share of the window's Cinder volume listings that were unfiltered: the planner read ahead of the page. */
  wholeVolumeListings: number | null;
}

/** Warm-up, then one measured window; CPU and upstream calls are read around the window only. */
export async function measure(
  target: BenchChild,
  sims: BenchChild,
  url: string,
  body: string,
  opts: { connections: number; rate?: number; warmSec: number; loadSec: number; headers?: Record<string, string> },
  /** Simulator (dataset) the target reads. */
  sim: string,
): Promise<Measured> {
  const { headers } = opts;
  await load({ url, body, connections: opts.connections, durationSec: opts.warmSec, rate: opts.rate, headers });
  await sims.call('resetCalls');
  const simCpu0 = await sims.call<number>('cpu');
  const cpu0 = await target.call<number>('cpu');
  const result = await load({ url, body, connections: opts.connections, durationSec: opts.loadSec, rate: opts.rate, headers });
  const cpu1 = await target.call<number>('cpu');
  const simCpu1 = await sims.call<number>('cpu');
  const counts = await sims.call<Record<string, number>>('callCounts');
  const volumes = await sims.call<{ listings: number; unfiltered: number }>('volumeListings', sim);
  const calls = Object.values(counts).reduce((sum, n) => sum + n, 0);
  if (result.failures > 0) throw new Error(`${target.name}: ${result.failures} failed requests under load`);
  return {
    load: result,
    cpuMicros: cpu1 - cpu0,
    callsPerQuery: calls / result.requests,
    simCpuPerRequest: (simCpu1 - simCpu0) / result.requests,
    wholeVolumeListings: volumes.listings ? volumes.unfiltered / volumes.listings : null,
  };
}

const pct = (share: number | null) => (share === null ? 'n/a' : `${fmt(100 * share, 0)} %`);

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/**
 * Connections for a fixed-rate run. autocannon resets each connection's share of the rate once a second and
 * spends it back to back, so a share that keeps its connection busy ~0.8 s of every second approximates an even
 * arrival rate; fewer connections cannot reach the rate, more turn it into bursts at the top of each second.
 * `msPerRequest` is what one request takes alone at the phase's upstream delay (see `aloneMs`).
 */
export function rateConnections(plan: Plan, msPerRequest: number): number {
  return Math.max(2, Math.ceil((plan.rate * (msPerRequest + 5)) / 800));
}

/** Median wall time of the screen sent alone, at whatever upstream delay is set now. */
export async function aloneMs(url: string, spec: ScreenSpec, plan: Plan, headers: Record<string, string> = {}): Promise<number> {
  for (let i = 0; i < 3; i++) await gql(url, spec.query, plan.screenN, headers);
  const times: number[] = [];
  for (let i = 0; i < 11; i++) times.push((await gql(url, spec.query, plan.screenN, headers)).ms);
  return percentile(times, 50);
}

/** Round trips of one screen sent alone with upstreams delayed: calls sent before any answer share one. */
async function roundTripsAlone(sims: BenchChild, url: string, spec: ScreenSpec, plan: Plan, headers: Record<string, string> = {}) {
  await sims.call('resetCalls');
  await gql(url, spec.query, plan.screenN, headers);
  return sims.call<number>('roundTrips', spec.sim);
}

/** The hand-written composition, asked for its best round-trip plan (see bench/procs/baseline.ts). */
export interface RoundTripBaseline {
  child: BenchChild;
  url: string;
  label: string;
}

const AHEAD = { 'x-bench-plan': 'ahead' };
/** "+3.2" or "−1.4": a gap to a floor or another row. */
export const signed = (v: number) => `${v >= 0 ? '+' : '−'}${fmt(Math.abs(v))}`;

/**
 * Scenario 2: fixed rate, every upstream call delayed by d; `plan.rateRuns` windows, each one's p99 reported
 * (the target is floor + 8 in every one). The hand-written baseline runs the same rate with its read-ahead plan.
 */
export async function roundTripScenario(facade: BenchChild, sims: BenchChild, url: string, spec: ScreenSpec, plan: Plan, baseline?: RoundTripBaseline) {
  await sims.call('setDelay', plan.delayMs);
  const alone = await aloneMs(url, spec, plan);
  const trips = await roundTripsAlone(sims, url, spec, plan);
  const connections = rateConnections(plan, alone);
  const body = graphqlBody(spec.query, plan.screenN);
  await facade.call('resetLoopDelay');
  const runs: Measured[] = [];
  for (let i = 0; i < plan.rateRuns; i++) {
    const opts = { connections, rate: plan.rate, warmSec: i === 0 ? plan.warmSec : 2, loadSec: plan.rateLoadSec };
    runs.push(await measure(facade, sims, url, body, opts, spec.sim));
  }
  const m = combine(runs);
  const loop = await facade.call<LoopDelay>('loopDelay');
  const mem = await facade.call<{ rss: number }>('memory');
  const floor = CHAIN_DEPTH * plan.delayMs;
  const { p50, p99 } = m.load;
  const cpuPerReq = m.cpuMicros / m.load.requests / 1000;
  const perRun = runs.map((r) => signed(r.load.p99 - floor)).join(' / ');
  const met = runs.filter((r) => r.load.p99 - floor <= 8).length;
  const rows: Row[] = [
    {
      scenario: `round trips: ${spec.label} N=${plan.screenN} (${spec.dataset}) @${plan.rate}/s, d=${plan.delayMs}`,
      callsPerQuery: m.callsPerQuery,
      p50,
      p99,
      rps: m.load.rps,
      vsFloor: `p50 ${fmt(p50 / floor, 2)}× (${signed(p50 - floor)} ms), p99 ${signed(p99 - floor)} ms${m.load.rps < 0.95 * plan.rate ? '; RATE NOT MET' : ''}`,
      rssMB: mem.rss / MB,
      notes: `p99 − floor per ${plan.rateLoadSec} s run: ${perRun} ms (target ≤ +8: ${met} of ${runs.length}); ${trips} round trip${trips === 1 ? '' : 's'} alone, p50 ${fmt(alone)} ms; floor ${CHAIN_DEPTH}×${plan.delayMs} ms; ${connections} conns; facade CPU ${fmt(cpuPerReq, 2)} ms/req; whole volume listings ${pct(m.wholeVolumeListings)}; loop delay p99 ${fmt(loop.p99)} ms`,
      detail: { ...m, runs, loopDelay: loop, connections, floor, aloneMs: alone, roundTrips: trips },
    },
  ];
  if (baseline) rows.push(await baselineRoundTrips(baseline, sims, spec, plan, { p50, p99 }));
  await sims.call('setDelay', 0);
  return { rows, loop };
}

/** The hand-written composition at the same rate and delay, reading ahead: the latency a facade could match. */
async function baselineRoundTrips(b: RoundTripBaseline, sims: BenchChild, spec: ScreenSpec, plan: Plan, facade: { p50: number; p99: number }): Promise<Row> {
  const alone = await aloneMs(b.url, spec, plan, AHEAD);
  const trips = await roundTripsAlone(sims, b.url, spec, plan, AHEAD);
  const connections = rateConnections(plan, alone);
  const opts = { connections, rate: plan.rate, warmSec: 3, loadSec: plan.rateLoadSec, headers: AHEAD };
  const m = await measure(b.child, sims, b.url, graphqlBody(spec.query, plan.screenN), opts, spec.sim);
  const floor = CHAIN_DEPTH * plan.delayMs;
  return {
    scenario: `round trips: ${b.label}, same screen @${plan.rate}/s, d=${plan.delayMs}`,
    callsPerQuery: m.callsPerQuery,
    p50: m.load.p50,
    p99: m.load.p99,
    rps: m.load.rps,
    vsFloor: `p50 ${fmt(m.load.p50 / floor, 2)}× (${signed(m.load.p50 - floor)} ms), p99 ${signed(m.load.p99 - floor)} ms`,
    vsBaseline: `facade p50 ${signed(facade.p50 - m.load.p50)} ms, p99 ${signed(facade.p99 - m.load.p99)} ms vs this`,
    notes: `best round-trip plan (everything not needing the page leaves with it); ${trips} round trip${trips === 1 ? '' : 's'} alone, p50 ${fmt(alone)} ms; ${connections} conns; CPU ${fmt(m.cpuMicros / m.load.requests / 1000, 2)} ms/req`,
    detail: { ...m, aloneMs: alone, roundTrips: trips },
  };
}

/** Sums measured windows (interleaved rounds), so drift in a shared machine hits both sides alike. */
function combine(parts: Measured[]): Measured {
  const requests = parts.reduce((a, m) => a + m.load.requests, 0);
  const seconds = parts.reduce((a, m) => a + m.load.seconds, 0);
  const weighted = (f: (m: Measured) => number) => parts.reduce((a, m) => a + f(m) * m.load.requests, 0) / requests;
  const last = parts[parts.length - 1]!;
  return {
    load: {
      ...last.load,
      requests,
      seconds,
      rps: requests / seconds,
      p50: weighted((m) => m.load.p50),
      p99: Math.max(...parts.map((m) => m.load.p99)),
      failures: parts.reduce((a, m) => a + m.load.failures, 0),
    },
    cpuMicros: parts.reduce((a, m) => a + m.cpuMicros, 0),
    callsPerQuery: weighted((m) => m.callsPerQuery),
    simCpuPerRequest: weighted((m) => m.simCpuPerRequest),
    wholeVolumeListings: parts.every((m) => m.wholeVolumeListings !== null) ? weighted((m) => m.wholeVolumeListings!) : null,
  };
}

/**
 * Another process measured in the same alternating windows: the facade with an optimisation switched off, or the
 * hand-written composition on another HTTP path.
 */
export interface CpuVariant {
  child: BenchChild;
  url: string;
  /** Row label after "cpu: ", e.g. "facade on graphql-js only (GRAPHQL_COMPILE_AFTER=off)". */
  label: string;
}

const perReq = (m: Measured) => cpuMsPerRequest([m]);
const perCpuSecond = (m: Measured) => m.load.requests / (m.cpuMicros / 1e6);

/**
 * Scenario 3: upstreams answer at once; facade, baseline (on dispatch(), as the facade) and the variants flat out
 * in alternating windows, CPU per request compared; then facade and baseline in paired windows (the target's ratio).
 */
export async function cpuScenario(
  facade: BenchChild,
  baseline: BenchChild,
  sims: BenchChild,
  urls: { facade: string; baseline: string },
  spec: ScreenSpec,
  plan: Plan,
  variants: CpuVariant[] = [],
) {
  await sims.call('setDelay', 0);
  const body = graphqlBody(spec.query, plan.screenN);
  const opts = { connections: plan.cpuConnections, warmSec: plan.warmSec, loadSec: plan.loadSec / plan.cpuRounds };
  await facade.call('resetLoopDelay');
  const fParts: Measured[] = [];
  const bParts: Measured[] = [];
  const vParts: Measured[][] = variants.map(() => []);
  for (let round = 0; round < plan.cpuRounds; round++) {
    // Only the first window of each side needs a JIT warm-up.
    const o = { ...opts, warmSec: round === 0 ? opts.warmSec : 1 };
    fParts.push(await measure(facade, sims, urls.facade, body, o, spec.sim));
    bParts.push(await measure(baseline, sims, urls.baseline, body, o, spec.sim));
    for (const [i, v] of variants.entries()) vParts[i]!.push(await measure(v.child, sims, v.url, body, o, spec.sim));
  }
  const paired = await pairedRatio(facade, baseline, sims, urls, body, plan);
  const f = combine(fParts);
  const b = combine(bParts);
  const loop = await facade.call<LoopDelay>('loopDelay');
  const fMem = await facade.call<{ rss: number }>('memory');
  const bMem = await baseline.call<{ rss: number }>('memory');
  const alternating = perReq(f) / perReq(b);
  const roundRatios = windowRatios(fParts, bParts);
  const rows: Row[] = [
    {
      scenario: `cpu: facade, ${spec.label} N=${plan.screenN}, d=0, ${plan.cpuConnections} conns`,
      callsPerQuery: f.callsPerQuery,
      p50: f.load.p50,
      p99: f.load.p99,
      rps: f.load.rps,
      vsBaseline: `${fmt(paired.ratio, 2)}× hand-written CPU/req, paired (target ≤ 1.5×)`,
      rssMB: fMem.rss / MB,
      notes: `paired windows (both loaded at once) ${paired.rounds.map((r) => fmt(r, 2)).join('/')}×, facade ${fmt(paired.facadeMs, 3)} vs baseline ${fmt(paired.baselineMs, 3)} CPU ms/req; alternating windows ${fmt(alternating, 2)}× (rounds ${roundRatios.map((r) => fmt(r, 2)).join('/')}×), ${fmt(perReq(f), 3)} CPU ms/req = ${fmt(perCpuSecond(f), 0)} req per CPU-s (target ≥ 1000); sims ${fmt(f.simCpuPerRequest / 1000, 2)} ms/req; whole volume listings ${pct(f.wholeVolumeListings)}; loop delay p99 ${fmt(loop.p99)} ms`,
      detail: { ...f, rounds: fParts, loopDelay: loop, alternatingRatio: alternating, paired },
    },
    {
      scenario: `cpu: hand-written baseline on undici dispatch() (the facade's HTTP path and node flags), same data, d=0, ${plan.cpuConnections} conns`,
      callsPerQuery: b.callsPerQuery,
      p50: b.load.p50,
      p99: b.load.p99,
      rps: b.load.rps,
      vsBaseline: '1×',
      rssMB: bMem.rss / MB,
      notes: `${fmt(perReq(b), 3)} CPU ms/req = ${fmt(perCpuSecond(b), 0)} req per CPU-s; sims ${fmt(b.simCpuPerRequest / 1000, 2)} ms/req`,
      detail: { ...b, rounds: bParts },
    },
  ];
  for (const [i, variant] of variants.entries()) rows.push(await variantRow(variant, combine(vParts[i]!), vParts[i]!, f, b));
  return { rows, loop };
}

/**
 * The target's ratio: facade and hand-written baseline loaded at the same time, 2 × cpuRounds windows, which one
 * starts first alternating. The alternating windows above keep each side's absolute CPU per request (alone on
 * the machine); their ratio moved by rounds from 1.7 to 2.5× in one run, and an A/A run (BENCH_CPU_AA=1) read
 * 0.88× alternating against 1.00× paired.
 */
async function pairedRatio(facade: BenchChild, baseline: BenchChild, sims: BenchChild, urls: { facade: string; baseline: string }, body: string, plan: Plan) {
  const windows = plan.cpuRounds * 2;
  const f: Window[] = [];
  const b: Window[] = [];
  for (let round = 0; round < windows; round++) {
    // Both were idle while the variants ran alone: the first window gets the scenarios' full warm-up, as the
    // observability scenario's do (with 1 s, the first window read 1.85 to 2.34× in five runs, the rest 1.6 to 2.0×).
    const o = { connections: plan.cpuConnections, warmSec: round === 0 ? plan.warmSec : 1, loadSec: plan.loadSec / windows, secondFirst: round % 2 === 1 };
    const [fw, bw] = await pairedWindow([facade, baseline], sims, [urls.facade, urls.baseline], body, o);
    f.push(fw);
    b.push(bw);
  }
  const facadeMs = cpuMsPerRequest(f);
  const baselineMs = cpuMsPerRequest(b);
  return { ratio: facadeMs / baselineMs, facadeMs, baselineMs, rounds: windowRatios(f, b) };
}

async function variantRow(variant: CpuVariant, v: Measured, rounds: Measured[], f: Measured, b: Measured): Promise<Row> {
  const vMem = await variant.child.call<{ rss: number }>('memory');
  const facadeVsThis = 1 - perReq(f) / perReq(v);
  return {
    scenario: `cpu: ${variant.label}, same load`,
    callsPerQuery: v.callsPerQuery,
    p50: v.load.p50,
    p99: v.load.p99,
    rps: v.load.rps,
    vsBaseline: `${fmt(perReq(v) / perReq(b), 2)}× hand-written CPU/req`,
    rssMB: vMem.rss / MB,
    notes: `${fmt(perReq(v), 3)} CPU ms/req = ${fmt(perCpuSecond(v), 0)} req per CPU-s; the facade uses ${fmt(100 * Math.abs(facadeVsThis), 0)} % ${facadeVsThis >= 0 ? 'less' : 'more'} CPU per request than this; facade ${fmt(perReq(f) / perReq(v), 2)}× this`,
    detail: { ...v, rounds },
  };
}
