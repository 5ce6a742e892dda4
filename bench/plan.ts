import { readFileSync } from 'node:fs';
// How long each phase runs. Default: about 3-4 minutes on 2 cores; BENCH_QUICK=1: under a minute.
export interface Plan {
  mode: 'quick' | 'default';
  /** Page sizes for the call-count scenario (N = 1000 needs 1000 generated groups). */
  sizes: number[];
  /** Generated groups in the large dataset. */
  largeExtra: number;
  /** Generated groups in the "screen" dataset the load phases use (plus the 5 example groups). */
  screenExtra: number;
  /** Page size of the load phases: one screen. */
  screenN: number;
  /** Sequential timed runs per N in the call-count scenario (after as many warm-up runs). */
  sequentialRuns: number;
  /** Upstream delay per call in the round-trip scenarios, ms. */
  delayMs: number;
  /** Fixed rate of the round-trip phase, req/s. */
  rate: number;
  /** Windows of the fixed-rate phase, each reported (issue 19: p99 within floor + 8 in three of three). */
  rateRuns: number;
  /** Seconds of each fixed-rate window. */
  rateLoadSec: number;
  warmSec: number;
  loadSec: number;
  /** Connections for the max-throughput phases ("a few"). */
  cpuConnections: number;
  /** Facade and baseline windows alternate this many times (the load seconds are split between them). */
  cpuRounds: number;
  /**
   * Node flags of the facade process: those of `npm run start:prod` (package.json), so the bench measures the
   * facade as deployed; BENCH_FACADE_NODE_FLAGS replaces them (an empty value: none), e.g. to try heap settings.
   */
  facadeNodeFlags: string[];
  /** Browser waterfall vs GraphQL: timed iterations of each. */
  waterfallRuns: number;
  clientRttMs: number;
  /** Cold and varied scenario: warm-up and measured seconds of each window, and screens sent alone after it. */
  coldWarmSec: number;
  coldLoadSec: number;
  /** Warm and cold windows alternate this many times (coldLoadSec split between them). */
  coldRounds: number;
  coldProbes: number;
  /** BENCH_STEADY_MINUTES: an extra soak at the target load, sampling RSS. 0 = off. */
  steadyMinutes: number;
}

export function planFromEnv(env: NodeJS.ProcessEnv): Plan {
  const quick = env.BENCH_QUICK === '1';
  const steady = Number(env.BENCH_STEADY_MINUTES ?? 0);
  return {
    mode: quick ? 'quick' : 'default',
    sizes: [1, 10, 100, 1000],
    largeExtra: 1000,
    screenExtra: 45,
    screenN: 10,
    sequentialRuns: quick ? 5 : 20,
    delayMs: 20,
    rate: 200,
    rateRuns: quick ? 1 : 3,
    rateLoadSec: quick ? 5 : 15,
    warmSec: quick ? 3 : 10,
    loadSec: quick ? 5 : 30,
    cpuConnections: 4,
    cpuRounds: quick ? 1 : 3,
    facadeNodeFlags: (env.BENCH_FACADE_NODE_FLAGS ?? productionNodeFlags()).split(' ').filter(Boolean),
    waterfallRuns: quick ? 5 : 20,
    clientRttMs: 30,
    coldWarmSec: quick ? 1 : 2,
    coldLoadSec: quick ? 1.5 : 6,
    coldRounds: quick ? 1 : 3,
    coldProbes: quick ? 2 : 7,
    steadyMinutes: Number.isFinite(steady) && steady > 0 ? steady : 0,
  };
}

/** The `--flags` that `npm run start:prod` passes to node, read from package.json. */
export function productionNodeFlags(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.['start:prod'] ?? '';
  return script
    .split(/\s+/)
    .filter((word) => word.startsWith('--'))
    .join(' ');
}
