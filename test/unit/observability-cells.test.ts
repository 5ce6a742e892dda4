// The hot-path counters and histograms (src/observability/cells.ts) must print exactly what prom-client's own
// Counter and Histogram print for the same observations: Prometheus, dashboards and tests read that text.
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastCounter, FastHistogram } from '../../src/observability/cells.js';

describe('FastCounter and FastHistogram', () => {
  it('scrape as prom-client Counter and Histogram with the same observations', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const counter = new Counter({ name: 'calls_total', help: 'calls', labelNames: ['service', 'status'], registers: [theirs] });
    const fastCounter = new FastCounter('calls_total', 'calls', ['service', 'status']).register(ours);
    const histogram = new Histogram({ name: 'call_seconds', help: 'time', labelNames: ['service'], registers: [theirs] });
    const fastHistogram = new FastHistogram('call_seconds', 'time', ['service']).register(ours);
    const plain = new Histogram({ name: 'calls_per_request', help: 'n', buckets: [0, 1, 2, 5], registers: [theirs] });
    const fastPlain = new FastHistogram('calls_per_request', 'n', [], [0, 1, 2, 5]).register(ours);

    // Before anything is observed (a label-less histogram shows its zeros).
    expect(await ours.metrics()).toBe(await theirs.metrics());

    const observations: [string, string, number][] = [
      ['cinder', '200', 0.004],
      ['cinder', '200', 0.005],
      ['manila', '500', 0.3],
      ['cinder', 'error', 12],
      ['cinder', '200', 0.0051],
    ];
    for (const [service, status, seconds] of observations) {
      counter.inc({ service, status });
      fastCounter.inc([service, status]);
      histogram.observe({ service }, seconds);
      fastHistogram.observe([service], seconds);
    }
    counter.inc({ service: 'sdrs', status: '404' }, 3);
    fastCounter.inc(['sdrs', '404'], 3);
    for (const n of [0, 1, 1, 3, 7]) {
      plain.observe(n);
      fastPlain.observe([], n);
    }

    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('calls_total{service="cinder",status="200"} 3');
    expect(text).toContain('call_seconds_bucket{le="0.005",service="cinder"} 2');
    expect(text).toContain('calls_per_request_bucket{le="+Inf"} 5');
  });
});
