import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Bulkhead, CircuitBreaker } from '../upstreams/resilience.js';
import { FastCounter, FastHistogram } from './cells.js';
import { droppedLogLines } from './logger.js';

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
/** A longer name is `other`: one GraphQL name may be as long as the body, and each scrape would carry it. */
const MAX_OPERATION_NAME_LENGTH = 128;
const CIRCUIT_STATES = ['closed', 'half-open', 'open'] as const;

/**
 * The facade's Prometheus metrics, in a registry of its own (two facades in one process, as in tests, keep
 * theirs apart). Label values are bounded: services, methods, route templates (route.ts), statuses, outcomes,
 * and operation names only with METRICS_OPERATION_NAMES=true, at most 100, the rest as `other`.
 */
export class FacadeMetrics {
  readonly registry = new Registry();
  // Observed on every request or upstream call: cells.ts (no label hashing per observation).
  readonly graphqlRequests: FastCounter;
  readonly graphqlDuration: FastHistogram;
  readonly callsPerRequest: FastHistogram;
  readonly roundTripsPerRequest: FastHistogram;
  readonly refusals: Counter;
  readonly upstreamRequests: FastCounter;
  readonly upstreamDuration: FastHistogram;
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
    this.graphqlRequests = new FastCounter(
      'graphql_requests_total',
      'GraphQL requests, by operation type and outcome (ok, partial, client_error, error, refused, aborted)',
      gqlLabels,
    ).register(this.registry);
    this.graphqlDuration = new FastHistogram(
      'graphql_request_duration_seconds',
      'Time from a GraphQL request arriving to its answer being written',
      operationNames ? ['operation_type', 'operation_name'] : ['operation_type'],
    ).register(this.registry);
    this.callsPerRequest = new FastHistogram(
      'graphql_upstream_calls_per_request',
      'Upstream HTTP calls (retries included) one GraphQL request caused',
      [],
      [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233],
    ).register(this.registry);
    this.roundTripsPerRequest = new FastHistogram(
      'graphql_upstream_round_trips_per_request',
      'Waves of upstream calls one GraphQL request waited for (calls in flight together count once)',
      [],
      [0, 1, 2, 3, 4, 5, 8, 13],
    ).register(this.registry);
    this.refusals = new Counter({
      name: 'graphql_requests_refused_total',
      help: 'GraphQL requests the door refused before running them: in_flight_cap (MAX_IN_FLIGHT), caller_cap (MAX_IN_FLIGHT_PER_CALLER), refused_tokens (MAX_REFUSED_TOKENS_PER_CLIENT), upstream_saturated, shutting_down, body_*',
      labelNames: ['reason'],
      registers,
    });
    this.upstreamRequests = new FastCounter(
      'upstream_requests_total',
      'Upstream HTTP calls by service, method, route template and status (the HTTP status, or error when no answer came)',
      ['service', 'method', 'route', 'status'],
    ).register(this.registry);
    this.upstreamDuration = new FastHistogram('upstream_request_duration_seconds', 'Upstream HTTP call duration, per service', ['service']).register(this.registry);
    new Counter({
      name: 'log_lines_dropped_total',
      help: 'Log lines dropped because stdout did not take them (more than 16 MiB waiting: a stalled log collector)',
      registers,
      collect() {
        this.reset();
        this.inc(droppedLogLines.lines);
      },
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

  /**
   * The operation_name label: the name itself for the first 100 seen up to 128 characters, `other` after or longer;
   * `anonymous` without one. A name not known yet takes a place only with `claim` (a valid document of a caller shown
   * to be real: requests.ts): made-up names must not use up the places of real ones.
   */
  operationLabel(name: string | null, claim = true): string {
    if (!name) return 'anonymous';
    if (name.length > MAX_OPERATION_NAME_LENGTH) return 'other';
    if (this.names.has(name)) return name;
    if (!claim || this.names.size >= MAX_OPERATION_NAMES) return 'other';
    this.names.add(name);
    return name;
  }

  /** One answered GraphQL request. */
  request(operationType: string, operationName: string | null, outcome: string, seconds: number, calls: number, roundTrips: number, claim = true): void {
    if (this.operationNames) {
      const name = this.operationLabel(operationName, claim);
      this.graphqlRequests.inc([operationType, outcome, name]);
      this.graphqlDuration.observe([operationType, name], seconds);
    } else {
      this.graphqlRequests.inc([operationType, outcome]);
      this.graphqlDuration.observe([operationType], seconds);
    }
    this.callsPerRequest.observe(NO_LABELS, calls);
    this.roundTripsPerRequest.observe(NO_LABELS, roundTrips);
  }

  /** One upstream HTTP exchange, answered (`status`: its HTTP status) or not (`error`). */
  upstreamCall(service: string, method: string, route: string, status: string, seconds: number): void {
    this.upstreamRequests.inc([service, method, route, status]);
    this.upstreamDuration.observe([service], seconds);
  }
}

const NO_LABELS: readonly string[] = [];
