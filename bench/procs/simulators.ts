// Bench child: the upstream simulators, in their own process so their CPU never counts as the facade's.
// BENCH_DATASETS names the simulators to start: {"cinderLarge": {"service": "cinder", "extra": 1000}, ...}.
import type { RunningSimulator } from '../../src/simulator/server.js';
import { cpuMicros, serveIpc } from '../ipc.js';

export interface DatasetSpec {
  service: 'cinder' | 'manila';
  /** Generated groups on top of the example seed (each with volumes/shares and one snapshot). */
  extra: number;
}

type Running = RunningSimulator & { endpoint: string };

async function start(spec: DatasetSpec): Promise<Running> {
  if (spec.service === 'cinder') {
    const { startCinderSimulator } = await import('../../src/simulator/cinder/index.js');
    return startCinderSimulator({ extraGroups: spec.extra, transitionMs: 20 });
  }
  const { startManilaSimulator } = await import('../../src/simulator/manila/index.js');
  return startManilaSimulator({ extraShareGroups: spec.extra, transitionMs: 20 });
}

const specs = JSON.parse(process.env.BENCH_DATASETS ?? '{}') as Record<string, DatasetSpec>;
const sims: Record<string, Running> = {};
const failed: Record<string, string> = {};
for (const [name, spec] of Object.entries(specs)) {
  try {
    sims[name] = await start(spec);
  } catch (err) {
    failed[name] = (err as Error).message;
  }
}

function sim(name: unknown): Running {
  const s = sims[name as string];
  if (!s) throw new Error(`no simulator ${String(name)}`);
  return s;
}

serveIpc(
  {
    setDelay: (ms) => Object.values(sims).forEach((s) => s.setDelay(ms as number)),
    resetCalls: () => Object.values(sims).forEach((s) => s.resetCalls()),
    /** Every call one simulator received since the last reset, as "METHOD url". */
    calls: (name) => sim(name).calls.map((c) => `${c.method} ${c.url}`),
    /** Round trips of the calls since the last reset: calls sent before any of them was answered share one. */
    roundTrips: (name) => new Set(sim(name).calls.map((c) => c.answeredBefore)).size,
    /** Volume listings since the last reset: how many, and how many were unfiltered (the planner read ahead). */
    volumeListings: (name) => {
      const listings = sim(name).calls.filter((c) => c.path.endsWith('/volumes/detail'));
      return { listings: listings.length, unfiltered: listings.filter((c) => !c.url.includes('group_id=')).length };
    },
    callCounts: () => Object.fromEntries(Object.entries(sims).map(([n, s]) => [n, s.calls.length])),
    cpu: () => cpuMicros(),
    rss: () => process.memoryUsage().rss,
    exit: () => {
      setImmediate(() => process.exit(0));
    },
  },
  { endpoints: Object.fromEntries(Object.entries(sims).map(([n, s]) => [n, s.endpoint])), failed },
);
