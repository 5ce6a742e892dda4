import type { Config } from './config.js';
import { type Upstreams, aboutFrom } from './context.js';
import type { ServiceName } from './errors.js';
import { startServer, type FacadeServer } from './server.js';
import { MAX_RECORDED_CALLS, type RunningSimulator } from './simulator/server.js';
import { type CinderSimOptions, startCinderSimulator } from './simulator/cinder/index.js';
import { CinderClient } from './upstreams/cinder/client.js';
import { type ManilaSimOptions, startManilaSimulator } from './simulator/manila/index.js';
import { ManilaClient } from './upstreams/manila/client.js';
import { type SdrsSimOptions, startSdrsSimulator } from './simulator/sdrs/index.js';
import { SdrsClient } from './upstreams/sdrs/client.js';
import type { Dispatcher } from 'undici';
import { createAgent } from './upstreams/agent.js';
import { hostBulkhead } from './upstreams/resilience.js';
import { PROJECT_TEMPLATE } from './identity/config.js';
import { type IdentitySetup, setupIdentity } from './identity/setup.js';
import type { KeystoneSimOptions } from './simulator/keystone/index.js';
import { Observability, type ObservabilityHooks } from './observability/index.js';
import { protectionsOf } from './observability/protections.js';
import { logUpstreamVersions } from './observability/versions.js';

export interface SimulatorOptions {
  cinder?: CinderSimOptions;
  manila?: ManilaSimOptions;
  sdrs?: SdrsSimOptions;
  keystone?: KeystoneSimOptions;
}

export interface App {
  server: FacadeServer;
  /** Simulators started for services in simulated mode, by service. */
  simulators: Partial<Record<ServiceName, RunningSimulator & { endpoint: string }>>;
  endpoints: Partial<Record<ServiceName, string>>;
  /** The process-wide upstream clients (null: service not configured, or reached per caller through Keystone). */
  upstreams: Upstreams;
  /** Keystone, when configured or simulated: the URL the facade validates tokens at, and the built-in one if it runs. */
  identity: IdentitySetup;
  /** Logger, metrics and tracing of this facade. */
  observability: Observability;
  /** /metrics on METRICS_PORT, when set (else it is on the GraphQL port). */
  metricsUrl: string | null;
  /** SIGTERM: finish in-flight requests (within `graceMs`), then stop; resolves with requests cut off. */
  drain(graceMs: number): Promise<number>;
  close(): Promise<void>;
}

/** After a drain cut what was left: how long its requests get to write their log lines (a retry's pause is 1 s). */
const SETTLE_AFTER_DRAIN_MS = 2_000;

/** Config -> upstream clients (starting simulators where asked) -> HTTP server. */
export async function startApp(config: Config, sim: SimulatorOptions = {}, hooks: ObservabilityHooks = {}): Promise<App> {
  const observability = await Observability.create(config.observability, config.identity.kind === 'keystone', hooks);
  const telemetry = observability.upstream;
  const agent = createAgent({ connectMs: 3_000, headersMs: config.upstreamTimeoutMs, bodyMs: config.upstreamTimeoutMs }, config.upstreamConnections, config.proxy);
  const simulators: App['simulators'] = {};
  const endpoints: App['endpoints'] = {};

  const cinderMode = config.services.cinder;
  if (cinderMode.kind === 'simulated') {
    simulators.cinder = await startCinderSimulator({ keepCalls: MAX_RECORDED_CALLS, ...sim.cinder });
    endpoints.cinder = simulators.cinder.endpoint;
  } else if (cinderMode.kind === 'real') {
    endpoints.cinder = cinderMode.url;
  }

  const manilaMode = config.services.manila;
  if (manilaMode.kind === 'simulated') {
    simulators.manila = await startManilaSimulator({ keepCalls: MAX_RECORDED_CALLS, ...sim.manila });
    endpoints.manila = simulators.manila.endpoint;
  } else if (manilaMode.kind === 'real') {
    endpoints.manila = manilaMode.url;
  }

  const sdrsMode = config.services.sdrs;
  if (sdrsMode.kind === 'simulated') {
    simulators.sdrs = await startSdrsSimulator({ keepCalls: MAX_RECORDED_CALLS, ...sim.sdrs });
    endpoints.sdrs = simulators.sdrs.endpoint;
  } else if (sdrsMode.kind === 'real') {
    endpoints.sdrs = sdrsMode.url;
  }

  // A `*_URL` with {project_id} has no process-wide client: each caller's token fills it in (identity gate).
  const fixed = (e: string | undefined) => (e && !e.includes(PROJECT_TEMPLATE) ? e : undefined);
  const cinderUrl = fixed(endpoints.cinder);
  const manilaUrl = fixed(endpoints.manila);
  const sdrsUrl = fixed(endpoints.sdrs);
  // Each service its own bulkhead, as large as the agent's connections to its host.
  const own = () => ({ telemetry, bulkhead: hostBulkhead(config.upstreamConnections) });
  const upstreams: Upstreams = {
    cinder: cinderUrl ? new CinderClient(cinderUrl, agent, own()) : null,
    manila: manilaUrl ? new ManilaClient(manilaUrl, agent, own()) : null,
    sdrs: sdrsUrl ? new SdrsClient(sdrsUrl, agent, own()) : null,
  };
  const simulatedEndpoints = Object.fromEntries(Object.entries(simulators).map(([name, sim]) => [name, sim.endpoint]));
  const identity = await setupIdentity(config, agent, simulatedEndpoints, sim.keystone, telemetry);
  // A host the process-wide clients reach keeps their breaker and bulkhead for callers reaching it through Keystone.
  for (const service of ['cinder', 'manila', 'sdrs'] as const) {
    const http = upstreams[service]?.http;
    if (http) identity.admission?.gate.clients[service].adopt(new URL(http.endpoint).origin, { breaker: http.breaker, bulkhead: http.bulkhead });
  }
  const protections = protectionsOf(upstreams, identity.admission);
  observability.watch({ protections, tokenCache: identity.admission?.gate.keystone.cache ?? null });
  // Each upstream's version document, once, logged; never a reason not to start. A black-holed upstream holds the
  // start-up at most two seconds, and its line comes when its timeout ends.
  // Re-reads of upstreams not reached at start-up (for /readyz) end with the app.
  const rechecks = new AbortController();
  await Promise.race([
    logUpstreamVersions(upstreams, identity.admission?.gate.keystone ?? null, identity.admission?.required ?? false, observability.log, {
      signal: rechecks.signal,
    }),
    new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
  ]);
  const stopSimulators = () => Promise.all([...Object.values(simulators), ...(identity.simulator ? [identity.simulator] : [])].map((s) => s.close()));
  const server = await startServer({
    port: config.port,
    host: config.host,
    upstreams,
    identity: identity.admission,
    about: aboutFrom(config, endpoints),
    limits: config.limits,
    development: config.development,
    compileAfter: config.compileAfter,
    observability,
    protections,
    // Where a refused caller gets a token: Keystone's own 401s name it the same way.
    authChallenge: identity.keystoneUrl ? `Keystone uri="${identity.keystoneUrl}"` : undefined,
  });
  const metricsUrl = await observability.serveMetrics(config.host);
  return {
    server,
    simulators,
    endpoints,
    upstreams,
    identity,
    observability,
    metricsUrl,
    drain: async (graceMs) => {
      rechecks.abort();
      const left = await server.drain(graceMs);
      await stopSimulators();
      // The grace period is over: upstream calls still out belong to no answer anyone waits for.
      await agent.destroy();
      // Their requests now end at once; their log lines and spans go out before the log and tracing close.
      await server.settle(SETTLE_AFTER_DRAIN_MS);
      await observability.close();
      return left;
    },
    close: async () => {
      rechecks.abort();
      await server.close();
      await stopSimulators();
      await closeAgent(agent);
      await observability.close();
    },
  };
}

/**
 * Upstream calls still out once the server is closed belong to no request being answered (a shared version read,
 * a poller's): a second for them to end, then they are cut, so that a trickling upstream cannot hold the exit.
 */
async function closeAgent(agent: Dispatcher): Promise<void> {
  const closed = agent.close();
  const late = await Promise.race([closed.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 1_000).unref())]);
  if (late) await agent.destroy();
}
