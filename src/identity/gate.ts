import { GraphQLError } from 'graphql';
import { FacadeError, type ServiceName, UpstreamError } from '../errors.js';
import type { Caller } from '../upstreams/caller.js';
import type { CinderClient } from '../upstreams/cinder/client.js';
import type { ManilaClient } from '../upstreams/manila/client.js';
import type { SdrsClient } from '../upstreams/sdrs/client.js';
import type { CatalogChoice } from './catalog.js';
import { type EndpointClients, type EndpointSource, type SharedProtections, endpointFor } from './directory.js';
import type { Identity, KeystoneClient } from './keystone.js';

/** Per service: the caller's client, why there is none (its fields answer that error), or null (not configured). */
export interface CallerUpstreams {
  cinder: CinderClient | UpstreamError | null;
  manila: ManilaClient | UpstreamError | null;
  sdrs: SdrsClient | UpstreamError | null;
}

export interface IdentityGateOptions {
  keystone: KeystoneClient;
  sources: Record<ServiceName, EndpointSource>;
  choice: CatalogChoice;
  clients: { cinder: EndpointClients<CinderClient>; manila: EndpointClients<ManilaClient>; sdrs: EndpointClients<SdrsClient> };
}

export interface CallerIdentity {
  identity: Identity;
  keystone: KeystoneClient;
  upstreams: CallerUpstreams;
  /** The endpoint each service is reached at for this caller (null where it has none). */
  endpoints: Record<ServiceName, string | null>;
}

/**
 * With KEYSTONE_URL set, nobody gets past here without a token Keystone accepts, and each caller's services are the
 * ones its token points at. Everything is decided before execution, so a refusal costs no Cinder, Manila or SDRS call.
 */
export class IdentityGate {
  /** Endpoints per validated identity: the cached Identity object is reused, so this is worked out once per token. */
  private readonly endpointsOf = new WeakMap<Identity, Record<ServiceName, string | NoEndpoint>>();

  constructor(private readonly opts: IdentityGateOptions) {}

  get keystone(): KeystoneClient {
    return this.opts.keystone;
  }

  /** Each upstream host's bulkhead as callers' endpoints come into use (the door sheds load on them too). */
  onBulkhead(listener: (service: ServiceName, bulkhead: SharedProtections['bulkhead']) => void): void {
    const { clients } = this.opts;
    for (const service of ['cinder', 'manila', 'sdrs'] as const) clients[service].onHost((_origin, p) => listener(service, p.bulkhead));
  }

  /** Each service's clients by endpoint: their hosts' breakers and bulkheads, for /readyz and the metrics. */
  get clients(): IdentityGateOptions['clients'] {
    return this.opts.clients;
  }

  async admit(token: string | null, caller: Caller): Promise<CallerIdentity> {
    if (!token) throw unauthenticated('This facade needs a Keystone token: send it as X-Auth-Token (or Authorization: Bearer).');
    let identity: Identity;
    try {
      identity = await this.opts.keystone.identify(token, caller);
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'UNAUTHENTICATED') throw unauthenticated(err.message);
      throw keystoneFailure(err);
    }
    const endpoints = this.endpoints(identity);
    const { clients } = this.opts;
    const pick = <C>(service: ServiceName, pool: EndpointClients<C>): C | UpstreamError => {
      const e = endpoints[service];
      return typeof e === 'string' ? pool.get(e) : new UpstreamError(e.code, e.message, service, 0, null, null);
    };
    return {
      identity,
      keystone: this.opts.keystone,
      upstreams: { cinder: pick('cinder', clients.cinder), manila: pick('manila', clients.manila), sdrs: pick('sdrs', clients.sdrs) },
      endpoints: {
        cinder: typeof endpoints.cinder === 'string' ? endpoints.cinder : null,
        manila: typeof endpoints.manila === 'string' ? endpoints.manila : null,
        sdrs: typeof endpoints.sdrs === 'string' ? endpoints.sdrs : null,
      },
    };
  }

  private endpoints(identity: Identity): Record<ServiceName, string | NoEndpoint> {
    let known = this.endpointsOf.get(identity);
    if (!known) {
      const { sources, choice } = this.opts;
      const of = (service: ServiceName) => noEndpoint(endpointFor(service, sources[service], identity, choice));
      known = { cinder: of('cinder'), manila: of('manila'), sdrs: of('sdrs') };
      this.endpointsOf.set(identity, known);
    }
    return known;
  }
}

/** Why a service has no endpoint for a caller: kept with the cached identity as words, made an error per request. */
interface NoEndpoint {
  code: UpstreamError['code'];
  message: string;
}

// Not the error itself: an Error keeps the frames of the stack it was made on, and with them the request that made
// it, for as long as its token stays cached (about 12 KB a token).
const noEndpoint = (e: string | UpstreamError): string | NoEndpoint => (typeof e === 'string' ? e : { code: e.code, message: e.message });

function unauthenticated(message: string): GraphQLError {
  const originalError = new FacadeError('UNAUTHENTICATED', message);
  return new GraphQLError(message, { originalError, extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Keystone unreachable or failing (or refusing the token to validate itself: 403): the whole request fails, saying it was Keystone. */
function keystoneFailure(err: unknown): GraphQLError {
  const e = err instanceof UpstreamError ? err : new UpstreamError('UPSTREAM_ERROR', 'Keystone failed.', 'keystone', 0, null, null);
  return new GraphQLError(e.message, {
    originalError: e,
    extensions: {
      code: e.code,
      http: { status: e.code === 'FORBIDDEN' ? 403 : e.code === 'UPSTREAM_UNAVAILABLE' || e.code === 'UPSTREAM_TIMEOUT' ? 503 : 502 },
    },
  });
}
