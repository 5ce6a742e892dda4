// Scenario 7 (issue 17): what logs, metrics and traces cost. The same facade twice, both loaded at once in each
// window at d = 0: everything on (a JSON log line per request, prom-client metrics scraped every second, every
// request and upstream call traced and exported over OTLP/HTTP to a receiver this process runs) against everything off
// (LOG_LEVEL=silent, METRICS_ENABLED=false, no OTEL_*). CPU per request of the two, as a ratio; target ≤ 1.10.
// The runner's OTEL_TRACES_SAMPLER / _ARG reach the facade (every request is traced without them).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import type { BenchChild } from '../ipc.js';
import type { Plan } from '../plan.js';
import { graphqlBody } from '../queries.js';
import { type Row, fmt } from '../report.js';
import { MB } from '../stats.js';
import type { ScreenSpec } from './calls.js';
import { type Window, cpuMsPerRequest as perReq, pairedWindow, windowRatios } from '../paired.js';
import { gql } from '../client.js';

/** An OTLP/HTTP receiver that reads every export and throws it away: the facade's side of exporting is real. */
async function otlpSink() {
  let exports = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
    });
    req.on('end', () => {
      exports++;
      bytes += size;
      // As an OpenTelemetry Collector answers an OTLP/HTTP protobuf export: an empty ExportTraceServiceResponse.
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: () => ({ exports, bytes }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

type GcCounts = Record<string, { count: number; ms: number }>;
const gcText = (g: GcCounts) => Object.entries(g).map(([kind, { count, ms }]) => `${kind} ${count} (${fmt(ms, 0)} ms)`).join(', ');

export type Spawn = (name: string, env: Record<string, string>) => BenchChild<{ url: string }>;

export async function observabilityScenario(spawn: Spawn, sims: BenchChild, baseEnv: Record<string, string>, spec: ScreenSpec, plan: Plan): Promise<Row> {
  const sink = await otlpSink();
  // BENCH_OBSERVABILITY_PARTS=logs,metrics,tracing (default all three): what the "on" facade has on, to find
  // which part costs what.
  const parts = new Set((process.env.BENCH_OBSERVABILITY_PARTS ?? 'logs,metrics,tracing').split(',').map((p) => p.trim()));
  const on = spawn(`facade (${[...parts].join(', ')} on)`, {
    ...baseEnv,
    LOG_LEVEL: parts.has('logs') ? 'info' : 'silent',
    METRICS_ENABLED: String(parts.has('metrics')),
    ...(parts.has('tracing') ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_EXPORTER: 'none' }),
  });
  const off = spawn('facade (all off)', { ...baseEnv, LOG_LEVEL: 'silent', METRICS_ENABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_EXPORTER: 'none' });
  const urls = { on: (await on.ready).url, off: (await off.ready).url };
  await gql(urls.on, spec.query, plan.screenN);
  await gql(urls.off, spec.query, plan.screenN);
  await sims.call('setDelay', 0);
  // Prometheus scrapes every 15 s by default; every second here, so the scrape's cost is not understated.
  const metricsUrl = urls.on.replace(/\/graphql$/, '/metrics');
  let scrapes = 0;
  const scraper = setInterval(() => {
    if (!parts.has('metrics')) return;
    request(metricsUrl).then(
      async (res) => {
        await res.body.text();
        scrapes++;
      },
      () => undefined,
    );
  }, 1_000);
  const body = graphqlBody(spec.query, plan.screenN);
  const rounds = plan.cpuRounds * 2;
  const opts = { connections: plan.cpuConnections, warmSec: plan.warmSec, loadSec: plan.loadSec / rounds };
  const onParts: Window[] = [];
  const offParts: Window[] = [];
  let upstreamCalls = 0;
  await Promise.all([on.call('resetGc'), off.call('resetGc')]);
  try {
    for (let round = 0; round < rounds; round++) {
      const [o, f, n] = await pairedWindow([on, off], sims, [urls.on, urls.off], body, { ...opts, warmSec: round < 2 ? opts.warmSec : 1, secondFirst: round % 2 === 1 });
      onParts.push(o);
      offParts.push(f);
      upstreamCalls += n;
    }
  } finally {
    clearInterval(scraper);
  }
  const ratio = perReq(onParts) / perReq(offParts);
  const roundRatios = windowRatios(onParts, offParts);
  const requests = onParts.reduce((a, m) => a + m.load.requests, 0);
  const seconds = onParts.reduce((a, m) => a + m.load.seconds, 0);
  const mem = await on.call<{ rss: number }>('memory');
  const gc = { on: await on.call<GcCounts>('gc'), off: await off.call<GcCounts>('gc') };
  const exported = sink.stats();
  await Promise.all([on.stop(), off.stop()]);
  await sink.close();
  return {
    scenario: `observability: ${[...parts].join(' + ')} on vs all off, ${spec.label} N=${plan.screenN}, d=0, ${plan.cpuConnections} conns`,
    callsPerQuery: upstreamCalls / (requests + offParts.reduce((a, m) => a + m.load.requests, 0)),
    p50: onParts.reduce((a, m) => a + m.load.p50 * m.load.requests, 0) / requests,
    p99: Math.max(...onParts.map((m) => m.load.p99)),
    rps: requests / seconds,
    vsBaseline: `${fmt(ratio, 3)}× CPU/req of all off (target ≤ 1.10)${ratio > 1.1 ? ' MISSED' : ''}`,
    rssMB: mem.rss / MB,
    notes: `sampler ${process.env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on'}${process.env.OTEL_TRACES_SAMPLER_ARG ? ` ${process.env.OTEL_TRACES_SAMPLER_ARG}` : ''}; on ${fmt(perReq(onParts), 3)} vs off ${fmt(perReq(offParts), 3)} CPU ms/req; rounds ${roundRatios.map((r) => fmt(r, 2)).join('/')}×; ${exported.exports} OTLP/HTTP protobuf exports (${fmt(exported.bytes / MB, 1)} MB) to a local receiver; /metrics scraped ${scrapes} times; garbage collections (warm-ups included) on ${gcText(gc.on)}, off ${gcText(gc.off)}`,
    detail: { ratio, rounds: roundRatios, on: onParts, off: offParts, exported, scrapes, gc },
  };
}
