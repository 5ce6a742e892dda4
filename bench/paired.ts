// Two processes measured in the same windows (the observability scenario's on/off facades; the CPU scenario's
// facade and hand-written baseline): whatever else the machine does falls on both alike.
import type { BenchChild } from './ipc.js';
import { type LoadResult, load } from './load.js';

export interface Window {
  load: LoadResult;
  /** CPU microseconds the process used during the window. */
  cpuMicros: number;
}

export interface PairedOptions {
  connections: number;
  warmSec: number;
  loadSec: number;
  /** Start the second one's load first (alternate by round: an A/A run leaned ~3 % towards the one started second). */
  secondFirst: boolean;
}

/** CPU milliseconds per request over windows. */
export const cpuMsPerRequest = (parts: Window[]) => parts.reduce((a, m) => a + m.cpuMicros, 0) / parts.reduce((a, m) => a + m.load.requests, 0) / 1000;

/** Window by window, the first process's CPU per request over the second's. */
export const windowRatios = (first: Window[], second: Window[]) => first.map((w, i) => cpuMsPerRequest([w]) / cpuMsPerRequest([second[i]!]));

/**
 * One window with both processes under the same closed-loop load at the same time (and the upstream calls of
 * both in it). Alternating windows let drift fall on one side: an A/A run of the observability facades (both off)
 * gave rounds from 0.77 to 1.29× alternating, 0.93 to 1.11× paired. Returns both windows and the upstream calls.
 */
export async function pairedWindow(
  procs: [BenchChild, BenchChild],
  sims: BenchChild,
  urls: [string, string],
  body: string,
  o: PairedOptions,
): Promise<[Window, Window, number]> {
  const both = async (sec: number): Promise<[LoadResult, LoadResult]> => {
    const run = (i: 0 | 1) => load({ url: urls[i], body, connections: o.connections, durationSec: sec });
    if (!o.secondFirst) return Promise.all([run(0), run(1)]);
    const [second, first] = await Promise.all([run(1), run(0)]);
    return [first, second];
  };
  const cpu = () => Promise.all([procs[0].call<number>('cpu'), procs[1].call<number>('cpu')]);
  await both(o.warmSec);
  await sims.call('resetCalls');
  const before = await cpu();
  const [first, second] = await both(o.loadSec);
  const after = await cpu();
  const calls = Object.values(await sims.call<Record<string, number>>('callCounts')).reduce((a, n) => a + n, 0);
  for (const [i, l] of [first, second].entries()) if (l.failures > 0) throw new Error(`${procs[i]!.name}: ${l.failures} failed requests under load`);
  return [
    { load: first, cpuMicros: after[0] - before[0] },
    { load: second, cpuMicros: after[1] - before[1] },
    calls,
  ];
}
