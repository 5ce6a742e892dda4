import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { type Balancer, startBalancer } from '../../examples/balancer.js';
import { composeSupergraph } from '../../examples/compose.js';
import { OWNERSHIP_SDL, type RunningOwnership, startOwnershipSubgraph } from '../../examples/ownership/server.js';
import { ROUTER_OPTIONS } from '../../examples/router.js';
import { subgraphSdl } from '../../src/federation/subgraph.js';
import { buildSchema } from '../../src/schema.js';
import { type Facade, startFacade } from './facade.js';

/**
 * groupgraph behind a real router, all on loopback: two facade replicas sharing one set of simulators and one
 * built-in Keystone (replica 0 runs them; replica 1 reaches the same data through Keystone's catalog, as every
 * replica of a real deployment reaches the same Cinder), a round-robin balancer in front of them, the example
 * "ownership" subgraph, and Hive Gateway serving the composed supergraph with examples/router.ts's settings.
 */
export interface FederatedStack {
  /** The router's GraphQL endpoint. */
  routerUrl: string;
  replicas: [Facade, Facade];
  balancer: Balancer;
  ownership: RunningOwnership;
  supergraph: string;
  /** Ends replica `i` abruptly, as a crash would: open connections reset, the port refuses. */
  kill(i: 0 | 1): void;
  close(): Promise<void>;
}

// Every replica is configured alike: tokens required (a demo facade would serve a tokenless caller as the demo admin).
const SHARED_DATA = { SIMULATE: 'cinder,manila,sdrs,keystone' };

export async function startFederatedStack(env: Record<string, string> = {}): Promise<FederatedStack> {
  const first = await startFacade({ ...SHARED_DATA, ...env });
  const keystoneUrl = first.app.identity.keystoneUrl;
  if (!keystoneUrl) throw new Error('replica 0 runs no Keystone: the replicas could not share its simulators');
  const second = await startFacade({ ...env, KEYSTONE_URL: keystoneUrl });
  const replicas: [Facade, Facade] = [first, second];
  const balancer = await startBalancer(replicas.map((r) => r.url));
  const ownership = await startOwnershipSubgraph();
  const sdl = subgraphSdl(buildSchema());
  const supergraph = composeSupergraph([
    { name: 'groupgraph', url: `${balancer.url}/graphql`, sdl },
    { name: 'ownership', url: ownership.url, sdl: OWNERSHIP_SDL },
  ]);
  // The MaxListenersExceededWarning is the gateway's own, benign: an abort listener per subgraph fetch on one long-lived signal, freed by GC.
  const gateway = createGatewayRuntime({ supergraph, ...ROUTER_OPTIONS, logging: false });
  const router: Server = createServer(gateway);
  await new Promise<void>((resolve) => router.listen(0, '127.0.0.1', resolve));
  const killed = new Set<number>();
  return {
    routerUrl: `http://127.0.0.1:${(router.address() as AddressInfo).port}/graphql`,
    replicas,
    balancer,
    ownership,
    supergraph,
    kill(i) {
      killed.add(i);
      const server = replicas[i].app.server.server;
      server.close();
      server.closeAllConnections();
    },
    async close() {
      await new Promise<void>((resolve) => {
        router.close(() => resolve());
        router.closeAllConnections();
      });
      await gateway.dispose();
      await balancer.close();
      await ownership.stop();
      // Replica 1 first: replica 0 runs the simulators and Keystone it reads.
      await second.close();
      await first.close();
    },
  };
}

export interface RouterAnswer<T> {
  status: number;
  data: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  raw: string;
}

/** POSTs a query to the router (or any GraphQL endpoint) with the caller's token. */
export async function routerQuery<T = any>(url: string, query: string, token?: string, variables?: Record<string, unknown>): Promise<RouterAnswer<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { 'x-auth-token': token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const raw = await res.text();
  let body: { data?: T; errors?: RouterAnswer<T>['errors'] } = {};
  try {
    body = JSON.parse(raw);
  } catch {
    // the caller sees raw
  }
  return { status: res.status, data: body.data ?? null, errors: body.errors, raw };
}
