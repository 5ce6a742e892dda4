import { Counter, Gauge, type Registry } from 'prom-client';
import type { LiveHub } from './hub.js';

/** Subscriptions in the facade's registry, read from the hub at scrape time (nothing counted on the hot path). */
export function registerLiveMetrics(registry: Registry, hub: LiveHub): void {
  const registers = [registry];
  new Gauge({
    name: 'graphql_subscriptions_active',
    help: 'Subscriptions open now, over SSE and WebSocket',
    registers,
    collect() {
      this.set(hub.subscriptions);
    },
  });
  new Gauge({
    name: 'graphql_subscription_pollers',
    help: 'Pollers running now: one per caller and followed object, whatever the number of its subscribers',
    registers,
    collect() {
      this.set(hub.pollers.size);
    },
  });
  new Counter({
    name: 'graphql_subscription_polls_total',
    help: 'Upstream reads made by subscription pollers',
    registers,
    collect() {
      this.reset();
      this.inc(hub.pollers.counters.polls);
    },
  });
}
