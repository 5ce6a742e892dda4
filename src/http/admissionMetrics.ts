import { Gauge, type Registry } from 'prom-client';

/** The door's state for Prometheus: requests in progress, and the adaptive limit on them (admission.ts, rule 3). */
export function registerAdmissionMetrics(registry: Registry, admission: { readonly limit: number; readonly inFlight: number }): void {
  const registers = [registry];
  new Gauge({
    name: 'graphql_requests_in_progress',
    help: 'GraphQL requests admitted and not yet answered',
    registers,
    collect() {
      this.set(admission.inFlight);
    },
  });
  new Gauge({
    name: 'graphql_admission_limit',
    help: 'The adaptive limit on GraphQL requests in progress: MAX_IN_FLIGHT while the upstreams keep up, lowered while their queues stand or fill',
    registers,
    collect() {
      this.set(Math.floor(admission.limit));
    },
  });
}
