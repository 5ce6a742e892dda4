// Scenario `cold` (issue 19): the canonical screen asked by callers the facade has never seen (a new token per
// request), on random pages, sorts and filters, on a large project, beside the same load from one warm caller.
// Per case, in alternating windows of the two loads: facade CPU per screen (cold ÷ warm), upstream calls, round
// trips of a screen alone, and the bytes the upstream sent per screen against those no answer used
// (bench/procs/bytes.ts). Upstreams answer after d.
import { gqlBody } from '../client.js';
import { type DriveResult, type VariedRequest, drive, mergeDrives } from '../drive.js';
import type { BenchChild } from '../ipc.js';
import type { Plan } from '../plan.js';
import { fmt, type Row } from '../report.js';
import { percentile } from '../stats.js';
import { type Mix, variedRequests } from '../varied.js';
import type { ByteTally } from '../procs/bytes.js';

/** A facade and the simulator (dataset) behind it. */
export interface ColdTarget {
  child: BenchChild;
  url: string;
  sim: string;
  /** e.g. "1005 groups, 12 more snapshots on every 10th". */
  dataset: string;
  /** Generated groups (bench-group-00001 …), for name filters. */
  groups: number;
  /** Per sort, cursors of the first 1000 groups (random pages); empty when only the same page is asked. */
  cursors: string[][];
  /** A setting the facade runs with beside the defaults, named in the rows (e.g. "UPSTREAM_MAX_CONNECTIONS=128"). */
  setting?: string;
}

export interface ColdCase {
  n: number;
  mix: Mix;
  /** Fixed rate (open loop) instead of a few workers back to back. */
  rate?: number;
}

interface Window {
  load: DriveResult;
  cpuMsPerScreen: number;
  callsPerScreen: number;
  bytes: ByteTally;
  /** Round trips and calls of screens sent alone, one after the other. */
  trips: number[];
  aloneCalls: number[];
  aloneMs: number[];
}

const WARM_TOKEN = 'bench-warm-caller';

/** Round-trip target of a screen of n groups (issue 19, item 3). */
const tripTarget = (n: number) => (n >= 1000 ? 3 : 2);

async function alone(target: ColdTarget, sims: BenchChild, next: () => VariedRequest, probes: number) {
  const trips: number[] = [];
  const calls: number[] = [];
  const ms: number[] = [];
  for (let i = 0; i < probes; i++) {
    const r = next();
    await sims.call('resetCalls');
    ms.push((await gqlBody(target.url, r.body, { 'x-auth-token': r.token })).ms);
    trips.push(await sims.call<number>('roundTrips', target.sim));
    calls.push((await sims.call<Record<string, number>>('callCounts'))[target.sim]!);
  }
  return { trips, calls, ms };
}

/** Open loop at the case's rate, or a few workers back to back (2 at N = 1000). */
const shapeOf = (c: ColdCase) => (c.rate ? { rate: c.rate } : { workers: c.n >= 1000 ? 2 : 4 });

/** One stretch of load with its CPU, upstream calls and bytes. */
interface Part {
  load: DriveResult;
  cpuMicros: number;
  calls: number;
  bytes: ByteTally;
}

async function loadPart(target: ColdTarget, sims: BenchChild, c: ColdCase, next: () => VariedRequest, sec: number): Promise<Part> {
  const shape = shapeOf(c);
  await sims.call('countBytes', true);
  await sims.call('resetCalls');
  const cpu0 = await target.child.call<number>('cpu');
  const load = await drive({ url: target.url, next, durationSec: sec, ...shape });
  const cpu1 = await target.child.call<number>('cpu');
  const calls = (await sims.call<Record<string, number>>('callCounts'))[target.sim]!;
  const bytes = await sims.call<ByteTally>('byteTally');
  await sims.call('countBytes', false);
  // Shed requests (503 OVERLOADED) are the facade protecting itself: reported in the row, not fatal.
  if (load.failures > 0 && !load.firstFailure?.includes('OVERLOADED')) {
    throw new Error(`cold scenario N=${c.n} ${c.mix}: ${load.failures} failed requests, first: ${load.firstFailure}`);
  }
  return { load, cpuMicros: cpu1 - cpu0, calls, bytes };
}

function sumBytes(parts: ByteTally[]): ByteTally {
  const discardedBy: Record<string, number> = {};
  for (const t of parts) for (const [k, v] of Object.entries(t.discardedBy)) discardedBy[k] = (discardedBy[k] ?? 0) + v;
  const sum = (f: (t: ByteTally) => number) => parts.reduce((a, t) => a + f(t), 0);
  return { requests: sum((t) => t.requests), read: sum((t) => t.read), discarded: sum((t) => t.discarded), discardedBy };
}

async function windowOf(target: ColdTarget, sims: BenchChild, c: ColdCase, parts: Part[], next: () => VariedRequest, plan: Plan): Promise<Window> {
  const load = mergeDrives(parts.map((p) => p.load));
  const probes = await alone(target, sims, next, c.n >= 1000 ? Math.min(plan.coldProbes, 5) : plan.coldProbes);
  return {
    load,
    cpuMsPerScreen: parts.reduce((a, p) => a + p.cpuMicros, 0) / 1000 / load.requests,
    callsPerScreen: parts.reduce((a, p) => a + p.calls, 0) / load.requests,
    bytes: sumBytes(parts.map((p) => p.bytes)),
    trips: probes.trips,
    aloneCalls: probes.calls,
    aloneMs: probes.ms,
  };
}

/**
 * The warm caller's load and the cold callers' in alternating windows on one facade (warm then cold, then cold
 * then warm, …): one after the other, drift on the machine fell on one side (the cold-to-warm ratio read 1.15 to
 * 1.64× across runs).
 */
async function measurePair(target: ColdTarget, sims: BenchChild, c: ColdCase, plan: Plan): Promise<{ warm: Window; cold: Window }> {
  const requests = (cold: boolean) =>
    variedRequests({ n: c.n, mix: c.mix, cold, cursors: target.cursors, groups: target.groups, seed: 19 + c.n, warmToken: WARM_TOKEN });
  const next = { warm: requests(false), cold: requests(true) };
  const shape = shapeOf(c);
  for (const who of ['warm', 'cold'] as const) await drive({ url: target.url, next: next[who], durationSec: plan.coldWarmSec, ...shape });
  const parts: Record<'warm' | 'cold', Part[]> = { warm: [], cold: [] };
  const sec = plan.coldLoadSec / plan.coldRounds;
  for (let round = 0; round < plan.coldRounds; round++) {
    const order = round % 2 === 0 ? (['warm', 'cold'] as const) : (['cold', 'warm'] as const);
    for (const who of order) parts[who].push(await loadPart(target, sims, c, next[who], sec));
  }
  return {
    warm: await windowOf(target, sims, c, parts.warm, next.warm, plan),
    cold: await windowOf(target, sims, c, parts.cold, next.cold, plan),
  };
}

/** Issue 19: a cold caller's screen costs at most this many times a warm caller's CPU. */
export const COLD_CPU_TARGET = 1.5;

const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;

/** "mostly group_snapshots/detail 80 %": where most of the discarded bytes came from. */
function wasteSource(t: ByteTally): string {
  const [top] = Object.entries(t.discardedBy).sort((a, b) => b[1] - a[1]);
  return top && t.discarded > 0 ? `, mostly ${top[0]} ${fmt((100 * top[1]) / t.discarded, 0)} %` : '';
}

function row(target: ColdTarget, c: ColdCase, w: Window, plan: Plan, warm?: Window): Row {
  const perScreen = (b: number) => b / Math.max(1, w.bytes.requests);
  const discardedShare = w.bytes.read ? w.bytes.discarded / w.bytes.read : 0;
  const trips = percentile(w.trips, 50);
  const maxTrips = Math.max(...w.trips);
  const ratio = warm ? w.cpuMsPerScreen / warm.cpuMsPerScreen : undefined;
  const who = warm ? 'cold: new token per request' : 'warm: one token';
  const load = c.rate ? `@${c.rate}/s` : 'closed loop';
  return {
    scenario: `${who}, cinder N=${c.n}, ${c.mix} (${target.dataset})${target.setting ? `, ${target.setting}` : ''}, d=${plan.delayMs}, ${load}`,
    callsPerQuery: w.callsPerScreen,
    p50: c.rate ? w.load.p50 : percentile(w.aloneMs, 50),
    p99: c.rate ? w.load.p99 : undefined,
    rps: w.load.rps,
    vsFloor: `${trips} round trip${trips === 1 ? '' : 's'} alone (max ${maxTrips}; target ≤ ${tripTarget(c.n)})`,
    vsBaseline: ratio === undefined ? 'warm: 1×' : `CPU ${fmt(ratio, 2)}× warm (target ≤ ${COLD_CPU_TARGET}×)${ratio > COLD_CPU_TARGET ? ' MISSED' : ''}`,
    notes:
      `CPU ${fmt(w.cpuMsPerScreen, 2)} ms/screen${warm ? ` (warm ${fmt(warm.cpuMsPerScreen, 2)})` : ''}; ` +
      `bytes read ${kb(perScreen(w.bytes.read))}/screen, discarded ${kb(perScreen(w.bytes.discarded))} (${fmt(100 * discardedShare, 1)} %${warm ? ', target < 10 %' : ''}${wasteSource(w.bytes)}); ` +
      `alone: ${fmt(percentile(w.aloneCalls, 50), 0)} calls, p50 ${fmt(percentile(w.aloneMs, 50))} ms${c.rate ? '' : `; under load p50 ${fmt(w.load.p50)} ms`}` +
      (w.load.failures ? `; ${w.load.failures} SHED (503) of ${w.load.failures + w.load.requests}` : ''),
    detail: { ...w, load: { ...w.load, latencies: undefined }, cpuRatio: ratio, discardedShare },
  };
}

/** Each case warm, then cold, on the same facade and data: two rows per case. */
export async function coldScenario(target: ColdTarget, sims: BenchChild, cases: ColdCase[], plan: Plan, log: (m: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  await sims.call('setDelay', plan.delayMs);
  try {
    for (const c of cases) {
      log(`cold: N=${c.n}, ${c.mix}${c.rate ? ` @${c.rate}/s` : ''} (${target.dataset})`);
      const { warm, cold } = await measurePair(target, sims, c, plan);
      rows.push(row(target, c, warm, plan), row(target, c, cold, plan, warm));
    }
  } finally {
    await sims.call('setDelay', 0);
  }
  return rows;
}
