// Bench child: the real facade (REAL mode, pointed at the simulator process by CINDER_URL/MANILA_URL), plus the
// instruments the runner reads over IPC: CPU time, memory, event-loop delay. The product itself is untouched.
import { constants as perf, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loopLoad } from '../../src/upstreams/roundTrips.js';
import { cpuMicros, serveIpc } from '../ipc.js';

const app = await startApp(loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' }));
// 10 ms sampling resolution is Node's default; 1 ms resolves the ≤ 20 ms target comfortably.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

const ms = (ns: number) => ns / 1e6;

// Garbage collections by kind (count and pause ms) since the last `resetGc`, for the scenarios that compare two facades.
const gcKinds: Record<number, string> = { [perf.NODE_PERFORMANCE_GC_MINOR]: 'minor', [perf.NODE_PERFORMANCE_GC_MAJOR]: 'major', [perf.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [perf.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' };
let gcs: Record<string, { count: number; ms: number }> = {};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = gcKinds[(e as unknown as { detail: { kind: number } }).detail.kind] ?? 'other';
    const g = (gcs[kind] ??= { count: 0, ms: 0 });
    g.count++;
    g.ms += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

serveIpc(
  {
    cpu: () => cpuMicros(),
    memory: () => {
      const m = process.memoryUsage();
      return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
    },
    /** What the planner goes by when it decides to read ahead: Cinder's fastest recent round trip, loop load. */
    planner: () => ({ fastestRoundTripMs: app.upstreams.cinder?.http.roundTrips.fastest() ?? null, busy: loopLoad.busy() }),
    /**
     * Load as the facade sees it (overload scenario): requests in progress, Cinder bulkhead slots in use and
     * waiting. Read loosely: a field the server no longer has reads null rather than breaking the bench.
     */
    pressure: () => {
      const server = app.server as { inFlight?: () => number };
      const bulkhead = app.upstreams.cinder?.http.bulkhead as { inFlight?: number; queued?: number } | undefined;
      return {
        inFlight: typeof server.inFlight === 'function' ? server.inFlight() : null,
        bulkheadActive: typeof bulkhead?.inFlight === 'number' ? bulkhead.inFlight : null,
        bulkheadQueued: typeof bulkhead?.queued === 'number' ? bulkhead.queued : null,
      };
    },
    resetLoopDelay: () => loopDelay.reset(),
    resetGc: () => void (gcs = {}),
    gc: () => gcs,
    loopDelay: () => ({
      p50: ms(loopDelay.percentile(50)),
      p99: ms(loopDelay.percentile(99)),
      max: ms(loopDelay.max),
    }),
    exit: async () => {
      loopDelay.disable();
      await app.close();
      setImmediate(() => process.exit(0));
    },
  },
  { url: `${app.server.url}/graphql` },
);
