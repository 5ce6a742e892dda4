// Bench child: the real facade (REAL mode, pointed at the simulator process by CINDER_URL/MANILA_URL), plus the
// instruments the runner reads over IPC: CPU time, memory, event-loop delay. The product itself is untouched.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loopLoad } from '../../src/upstreams/roundTrips.js';
import { cpuMicros, serveIpc } from '../ipc.js';

const app = await startApp(loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' }));
// 10 ms sampling resolution is Node's default; 1 ms resolves the ≤ 20 ms target comfortably.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

const ms = (ns: number) => ns / 1e6;

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
