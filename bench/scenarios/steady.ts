// Scenario 5: facade memory across the load phases and event-loop delay under load; with
// BENCH_STEADY_MINUTES, a soak at the target rate sampling RSS every 10 s.
import type { BenchChild } from '../ipc.js';
import { load } from '../load.js';
import type { Plan } from '../plan.js';
import { graphqlBody } from '../queries.js';
import { fmt, type Row } from '../report.js';
import { MB, percentile } from '../stats.js';
import type { ScreenSpec } from './calls.js';
import { type LoopDelay, aloneMs, rateConnections } from './load.js';

const RSS_TARGET_MB = 200;
const LOOP_DELAY_TARGET_MS = 20;

export async function steadyScenario(
  facade: BenchChild,
  sims: BenchChild,
  url: string,
  spec: ScreenSpec,
  plan: Plan,
  rssBefore: number,
  loops: LoopDelay[],
): Promise<Row[]> {
  const after = await facade.call<{ rss: number; heapUsed: number }>('memory');
  const rssAfter = after.rss;
  const worstLoop = Math.max(0, ...loops.map((l) => l.p99));
  const rows: Row[] = [
    {
      scenario: 'steady: facade RSS across the load phases',
      rssMB: rssAfter / MB,
      notes: `RSS ${fmt(rssBefore / MB)} → ${fmt(rssAfter / MB)} MB (target ≤ ${RSS_TARGET_MB}), heap used ${fmt(after.heapUsed / MB)} MB; ${loops.length ? `worst loop delay p99 ${fmt(worstLoop)} ms (target ≤ ${LOOP_DELAY_TARGET_MS})` : 'no load phase ran'}`,
      detail: { rssBefore, rssAfter, loops },
    },
  ];
  if (plan.steadyMinutes <= 0) return rows;

  await sims.call('setDelay', plan.delayMs);
  await facade.call('resetLoopDelay');
  const samples: number[] = [];
  const sampler = setInterval(() => {
    void facade.call<{ rss: number }>('memory').then((m) => samples.push(m.rss));
  }, 10_000);
  const connections = rateConnections(plan, await aloneMs(url, spec, plan));
  let result;
  try {
    result = await load({ url, body: graphqlBody(spec.query, plan.screenN), connections, durationSec: plan.steadyMinutes * 60, rate: plan.rate });
  } finally {
    clearInterval(sampler);
    await sims.call('setDelay', 0);
  }
  const loop = await facade.call<LoopDelay>('loopDelay');
  const first = samples[0] ?? rssAfter;
  const last = samples[samples.length - 1] ?? rssAfter;
  rows.push({
    scenario: `steady: ${plan.steadyMinutes} min @${plan.rate}/s, d=${plan.delayMs}, N=${plan.screenN}`,
    p50: result.p50,
    p99: result.p99,
    rps: result.rps,
    rssMB: Math.max(...samples, rssAfter) / MB,
    notes: `RSS first ${fmt(first / MB)} / last ${fmt(last / MB)} / max ${fmt(Math.max(...samples) / MB)} MB (median ${fmt(percentile(samples, 50) / MB)}); loop delay p99 ${fmt(loop.p99)} ms; ${result.failures} failures`,
    detail: { rssSamples: samples, loopDelay: loop, load: result },
  });
  return rows;
}
