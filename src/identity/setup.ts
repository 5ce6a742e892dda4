import type { Dispatcher } from 'undici';
import type { Config } from '../config.js';
import type { IdentityAdmission } from '../context.js';
import type { ServiceName } from '../errors.js';
import { type KeystoneSimOptions, startKeystoneSimulator } from '../simulator/keystone/index.js';
import { DEMO_PROJECT } from '../simulator/identity.js';
import { CinderClient } from '../upstreams/cinder/client.js';
import { ManilaClient } from '../upstreams/manila/client.js';
import { SdrsClient } from '../upstreams/sdrs/client.js';
import { EndpointClients, type EndpointSource } from './directory.js';
import { IdentityGate } from './gate.js';
import { KeystoneClient } from './keystone.js';
import type { UpstreamTelemetry } from '../observability/upstream.js';
import { MAX_RECORDED_CALLS } from '../simulator/server.js';

export interface IdentitySetup {
  admission: IdentityAdmission | null;
  /** The Keystone the facade asks: KEYSTONE_URL or the simulator's. */
  keystoneUrl: string | null;
  /** The built-in Keystone, when it runs (demo mode, SIMULATE=keystone). */
  simulator: Awaited<ReturnType<typeof startKeystoneSimulator>> | null;
}

/** A simulator's endpoint (…/v3/<demo project>) as a catalog template for every project. */
const asTemplate = (endpoint: string) => endpoint.split(DEMO_PROJECT.id).join('%(project_id)s');

/**
 * Keystone, if the configuration has one: the gate each request passes and the per-endpoint clients behind it.
 * With the built-in Keystone, its catalog lists the running simulators (every project on the same simulator).
 */
export async function setupIdentity(
  config: Config,
  agent: Dispatcher,
  simulated: Partial<Record<ServiceName, string>>,
  keystoneSim: KeystoneSimOptions = {},
  telemetry?: UpstreamTelemetry,
): Promise<IdentitySetup> {
  const mode = config.identity;
  if (mode.kind === 'none') return { admission: null, keystoneUrl: null, simulator: null };
  let simulator: IdentitySetup['simulator'] = null;
  let url = mode.url;
  if (url === 'simulated') {
    const endpoints = Object.fromEntries(Object.entries(simulated).map(([s, e]) => [s, asTemplate(e)]));
    simulator = await startKeystoneSimulator({ endpoints, keepCalls: MAX_RECORDED_CALLS, ...keystoneSim });
    url = simulator.endpoint;
  }
  const sources = {} as Record<ServiceName, EndpointSource>;
  for (const [name, m] of Object.entries(config.services) as [ServiceName, Config['services'][ServiceName]][]) {
    sources[name] = m.kind === 'real' ? { kind: 'template', template: m.url } : m.kind === 'absent' ? { kind: 'absent' } : { kind: 'catalog' };
  }
  const perHost = { connections: config.upstreamConnections };
  const choice = { interface: mode.interface, region: mode.region };
  const gate = new IdentityGate({
    keystone: new KeystoneClient({ url, agent, choice, cacheMs: mode.cacheMs, telemetry }),
    sources,
    choice,
    clients: {
      cinder: new EndpointClients((e, shared) => new CinderClient(e, agent, { ...shared, telemetry }), perHost),
      manila: new EndpointClients((e, shared) => new ManilaClient(e, agent, { ...shared, telemetry }), perHost),
      sdrs: new EndpointClients((e, shared) => new SdrsClient(e, agent, { ...shared, telemetry }), perHost),
    },
  });
  return { admission: { gate, required: mode.required }, keystoneUrl: url, simulator };
}
