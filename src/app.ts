import type { Config } from './config.js';
import { type Upstreams, aboutFrom } from './context.js';
import type { ServiceName } from './errors.js';
import { startServer, type FacadeServer } from './server.js';
import type { RunningSimulator } from './simulator/server.js';
import { type CinderSimOptions, startCinderSimulator } from './simulator/cinder/index.js';
import { CinderClient } from './upstreams/cinder/client.js';
import { createAgent } from './upstreams/http.js';

export interface SimulatorOptions {
  cinder?: CinderSimOptions;
}

export interface App {
  server: FacadeServer;
  /** Simulators started for services in simulated mode, by service. */
  simulators: Partial<Record<ServiceName, RunningSimulator & { endpoint: string }>>;
  endpoints: Partial<Record<ServiceName, string>>;
  close(): Promise<void>;
}

/** Config -> upstream clients (starting simulators where asked) -> HTTP server. */
export async function startApp(config: Config, sim: SimulatorOptions = {}): Promise<App> {
  const agent = createAgent({ connectMs: 3_000, headersMs: config.upstreamTimeoutMs, bodyMs: config.upstreamTimeoutMs });
  const simulators: App['simulators'] = {};
  const endpoints: App['endpoints'] = {};

  const cinderMode = config.services.cinder;
  if (cinderMode.kind === 'simulated') {
    simulators.cinder = await startCinderSimulator(sim.cinder);
    endpoints.cinder = simulators.cinder.endpoint;
  } else if (cinderMode.kind === 'real') {
    endpoints.cinder = cinderMode.url;
  }

  const upstreams: Upstreams = {
    cinder: endpoints.cinder ? new CinderClient(endpoints.cinder, agent) : null,
  };
  const server = await startServer({
    port: config.port,
    host: config.host,
    upstreams,
    about: aboutFrom(config, endpoints),
  });
  return {
    server,
    simulators,
    endpoints,
    close: async () => {
      await server.close();
      await Promise.all(Object.values(simulators).map((s) => s.close()));
      await agent.close();
    },
  };
}
