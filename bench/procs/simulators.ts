// Bench child: the upstream simulators, in their own process so their CPU never counts as the facade's.
// BENCH_DATASETS names the simulators to start: {"cinderLarge": {"service": "cinder", "extra": 1000}, ...}.
import type { CinderState } from '../../src/simulator/cinder/index.js';
import type { RunningSimulator } from '../../src/simulator/server.js';
import { cpuMicros, serveIpc } from '../ipc.js';
import { ByteLedger } from './bytes.js';

export interface DatasetSpec {
  service: 'cinder' | 'manila';
  /** Generated groups on top of the example seed (each with volumes/shares and one snapshot). */
  extra: number;
  /** Cinder: every `every`-th generated group gets `count` more group snapshots (a large project's history). */
  moreSnapshots?: { every: number; count: number };
}

type Running = RunningSimulator & { endpoint: string };

/** Deterministic ids, apart from the generated seed's (e3… per group): e5 + group index + snapshot number. */
function addSnapshots(state: CinderState, more: { every: number; count: number }): void {
  const generated = [...state.groups.values()].filter((g) => g.id.startsWith('e1000000-'));
  generated.forEach((g, i) => {
    if ((i + 1) % more.every !== 0) return;
    for (let k = 1; k <= more.count; k++) {
      const id = `e5000000-0000-4000-${k.toString(16).padStart(4, '0')}-${(i + 1).toString(16).padStart(12, '0')}`;
      state.addGroupSnapshot({ id, name: `bench-history-${i + 1}-${k}`, group_id: g.id, group_type_id: g.group_type_id, created_at: g.created_at });
    }
  });
}

async function start(spec: DatasetSpec): Promise<Running> {
  if (spec.service === 'cinder') {
    const { startCinderSimulator } = await import('../../src/simulator/cinder/index.js');
    const sim = await startCinderSimulator({ extraGroups: spec.extra, transitionMs: 20 });
    if (spec.moreSnapshots) addSnapshots(sim.state, spec.moreSnapshots);
    return sim;
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

// Bytes per request, counted only while a scenario asks (see bytes.ts).
const ledger = new ByteLedger();
for (const s of Object.values(sims)) s.observe(ledger.observe);

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
    /** Starts (true) or stops counting bytes per request; either way forgets what was counted. */
    countBytes: (on) => ledger.enable(on === true),
    /** Bytes read and discarded by the requests since the last tally (see bytes.ts). */
    byteTally: () => ledger.tally(),
    callCounts: () => Object.fromEntries(Object.entries(sims).map(([n, s]) => [n, s.received()])),
    cpu: () => cpuMicros(),
    rss: () => process.memoryUsage().rss,
    exit: () => {
      setImmediate(() => process.exit(0));
    },
  },
  { endpoints: Object.fromEntries(Object.entries(sims).map(([n, s]) => [n, s.endpoint])), failed },
);
