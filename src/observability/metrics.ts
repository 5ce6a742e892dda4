import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Bulkhead, CircuitBreaker } from '../upstreams/resilience.js';

/** One upstream host's protections, as the gauges read them at scrape time. */
export interface Protection {
  service: string;
  /** The host's origin (with Keystone a service can have several); never a metric label (unbounded). */
  host: string;
  breaker: CircuitBreaker;
  bulkhead: Bulkhead;
}

/** Where the gauges read from at scrape time: nothing is counted on the hot path for them. */
export interface MetricSources {
  /** Every breaker and bulkhead (with Keystone: one per host, several per service). */
  protections(): Protection[];
  /** Keystone's token cache, when Keystone is configured. */
  tokenCache: { hits: number; misses: number; size: number } | null;
}

const NO_SOURCES: MetricSources = { protections: () => [], tokenCache: null };

const MAX_OPERATION_NAMES = 100;
const CIRCUIT_STATES = ['closed', 'half-open', 'open'] as const;

/**
 * The facade's Prometheus metrics, in a registry of its own (two facades in one process, as in tests, keep
 * theirs apart). Label values are bounded: services, methods, route templates (route.ts), statuses, outcomes,
 * and operation names only with METRICS_OPERATION_NAMES=true, at most 100, the rest as `other`.
 */
export class FacadeMetrics {
  readonly registry = new Registry();
  readonly graphqlRequests: Counter;
  readonly graphqlDuration: Histogram;
  readonly callsPerRequest: Histogram;
  readonly roundTripsPerRequest: Histogram;
  readonly refusals: Counter;
  readonly upstreamRequests: Counter;
  readonly upstreamDuration: Histogram;
  readonly upstreamRetries: Counter;
  readonly bulkheadRefusals: Counter;
  readonly circuitRefusals: Counter;
  private readonly names = new Set<string>();
  /** Set once the clients exist (they are made with this object's telemetry, so after it). */
  sources: MetricSources = NO_SOURCES;

  constructor(
    private readonly operationNames: boolean,
    /** Keystone is configured: its token cache has counters. */
    keystone: boolean,
  ) {
    const self = this;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const gqlLabels = operationNames ? ['operation_type', 'outcome', 'operation_name'] : ['operation_type', 'outcome'];
    this.graphqlRequests = new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL requests, by operation type and outcome (ok, partial, client_error, error, refused, aborted)',
      labelNames: gqlLabels,
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'Time from a GraphQL request arriving to its answer being written',
      labelNames: operationNames ? ['operation_type', 'operation_name'] : ['operation_type'],
      registers,
    });
    this.callsPerRequest = new Histogram({
      name: 'graphql_upstream_calls_per_request',
      help: 'Upstream HTTP calls (retries included) one GraphQL request caused',
      buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233],
      registers,
    });
    this.roundTripsPerRequest = new Histogram({
      name: 'graphql_upstream_round_trips_per_request',
      help: 'Waves of upstream calls one GraphQL request waited for (calls in flight together count once)',
      buckets: [0, 1, 2, 3, 4, 5, 8, 13],
      registers,
    });
    this.refusals = new Counter({
      name: 'graphql_requests_refused_total',
      help: 'GraphQL requests the door refused before running them: in_flight_cap (MAX_IN_FLIGHT), upstream_saturated, shutting_down, body_*',
      labelNames: ['reason'],
      registers,
    });
    this.upstreamRequests = new Counter({
      name: 'upstream_requests_total',
      help: 'Upstream HTTP calls by service, method, route template and status (the HTTP status, or error when no answer came)',
      labelNames: ['service', 'method', 'route', 'status'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'upstream_request_duration_seconds',
      help: 'Upstream HTTP call duration, per service',
      labelNames: ['service'],
      registers,
    });
    this.upstreamRetries = new Counter({ name: 'upstream_retries_total', help: 'Upstream calls sent again after a transient failure', labelNames: ['service'], registers });
    this.bulkheadRefusals = new Counter({
      name: 'upstream_bulkhead_refusals_total',
      help: 'Upstream calls the bulkhead refused: full (no waiting place) or timeout (no free connection before the deadline)',
      labelNames: ['service', 'reason'],
      registers,
    });
    this.circuitRefusals = new Counter({
      name: 'upstream_circuit_refusals_total',
      help: 'Upstream calls not sent because the circuit was open',
      labelNames: ['service'],
      registers,
    });
    const byService = () => {
      const out = new Map<string, Protection[]>();
      for (const p of self.sources.protections()) out.set(p.service, [...(out.get(p.service) ?? []), p]);
      return out;
    };
    new Gauge({
      name: 'upstream_circuit_state',
      help: "Circuit breaker per service: 0 closed, 1 half-open, 2 open (with several hosts, the most open one's)",
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const [service, ps] of byService()) this.set({ service }, Math.max(...ps.map((p) => CIRCUIT_STATES.indexOf(p.breaker.state))));
      },
    });
    new Gauge({
      name: 'upstream_circuit_hosts',
      help: 'Upstream hosts per service whose circuit is in each state (with Keystone a service can have several hosts)',
      labelNames: ['service', 'state'],
      registers,
      collect() {
        this.reset();
        for (const [service, ps] of byService()) {
          for (const state of CIRCUIT_STATES) this.set({ service, state }, ps.filter((p) => p.breaker.state === state).length);
        }
      },
    });
    new Gauge({
      name: 'upstream_bulkhead_in_flight',
      help: 'Upstream calls in flight per service (summed over its hosts)',
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const [service, ps] of byService()) this.set({ service }, ps.reduce((a, p) => a + p.bulkhead.inFlight, 0));
      },
    });
    new Gauge({
      name: 'upstream_bulkhead_waiting',
      help: 'Upstream calls waiting for a connection per service (summed over its hosts)',
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const [service, ps] of byService()) this.set({ service }, ps.reduce((a, p) => a + p.bulkhead.queued, 0));
      },
    });
    const cache = () => self.sources.tokenCache ?? { hits: 0, misses: 0, size: 0 };
    if (keystone) {
      // Counters whose values live in the token cache itself (TokenCache.hits/misses): read at scrape time.
      new Counter({
        name: 'keystone_token_cache_hits_total',
        help: 'Requests whose token was found validated in the cache (no Keystone call)',
        registers,
        collect() {
          this.reset();
          this.inc(cache().hits);
        },
      });
      new Counter({
        name: 'keystone_token_cache_misses_total',
        help: 'Requests whose token had to be validated by Keystone',
        registers,
        collect() {
          this.reset();
          this.inc(cache().misses);
        },
      });
      new Gauge({
        name: 'keystone_token_cache_entries',
        help: 'Validated tokens held',
        registers,
        collect() {
          this.set(cache().size);
        },
      });
    }
  }

  /** The operation_name label: the name itself for the first 100 seen, `other` after; `anonymous` without one. */
  operationLabel(name: string | null): string {
    if (!name) return 'anonymous';
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES) return 'other';
    this.names.add(name);
    return name;
  }

  /** One answered GraphQL request. */
  request(operationType: string, operationName: string | null, outcome: string, seconds: number, calls: number, roundTrips: number): void {
    if (this.operationNames) {
      const name = this.operationLabel(operationName);
      this.graphqlRequests.inc({ operation_type: operationType, outcome, operation_name: name });
      this.graphqlDuration.observe({ operation_type: operationType, operation_name: name }, seconds);
    } else {
      this.graphqlRequests.inc({ operation_type: operationType, outcome });
      this.graphqlDuration.observe({ operation_type: operationType }, seconds);
    }
    this.callsPerRequest.observe(calls);
    this.roundTripsPerRequest.observe(roundTrips);
  }
}
