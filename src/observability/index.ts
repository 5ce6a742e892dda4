import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { DestinationStream } from 'pino';
import type { ObservabilityConfig } from './config.js';
import { type Logger, createLogger } from './logger.js';
import { FacadeMetrics, type MetricSources } from './metrics.js';
import { RequestObserver } from './requests.js';
import type { Tracing } from './tracing.js';
import { registerOtelDiagLog } from './otelDiag.js';
import { UpstreamTelemetry } from './upstream.js';
import { requestIds } from './requestId.js';
import { answerClientErrors, answerOddRequests, refusedWithoutHost } from '../http/clientErrors.js';

/** What a test (or an embedding program) can plug in instead of stdout and the OTLP exporter. */
export interface ObservabilityHooks {
  /** Where log lines go (a pino destination); default stdout. */
  logDestination?: DestinationStream;
  /** Where spans go instead of the configured exporter (e.g. the SDK's InMemorySpanExporter); tracing must be on. */
  spanExporter?: SpanExporter;
}

/** Logs, metrics and traces of one facade: made first in startApp, handed to the clients and the server. */
export class Observability {
  readonly upstream: UpstreamTelemetry;
  readonly requests: RequestObserver;
  private metricsServer: Server | null = null;
  /** Removes this facade's log as OpenTelemetry's diag logger (tracing on only). */
  private unregisterDiag: () => void = () => {};

  private constructor(
    readonly config: ObservabilityConfig,
    readonly log: Logger,
    readonly metrics: FacadeMetrics | null,
    readonly tracing: Tracing | null,
  ) {
    this.upstream = new UpstreamTelemetry(log, metrics, tracing);
    this.requests = new RequestObserver(log, metrics, tracing, config.log.variables);
  }

  static async create(config: ObservabilityConfig, keystone: boolean, hooks: ObservabilityHooks = {}): Promise<Observability> {
    const log = createLogger(config.log, hooks.logDestination);
    const metrics = config.metrics.enabled ? new FacadeMetrics(config.metrics.operationNames, keystone) : null;
    // The SDK is loaded only when tracing is on: off, it costs nothing, not even memory.
    const tracingConfig = config.tracing ?? (hooks.spanExporter ? { exporter: 'otlp' as const, protocol: 'http/protobuf' as const, url: undefined, serviceName: 'groupgraph', scheduleDelayMs: undefined, maxExportBatchSize: undefined, maxQueueSize: undefined } : null);
    const tracing = tracingConfig ? new (await import('./tracing.js')).Tracing(tracingConfig, hooks.spanExporter) : null;
    const observability = new Observability(config, log, metrics, tracing);
    // A failed export is reported only through OpenTelemetry's diag logger: without one, a dead collector is silent.
    if (tracing) observability.unregisterDiag = registerOtelDiagLog(log);
    return observability;
  }

  /** The breakers, bulkheads and token cache the gauges read at scrape time. */
  watch(sources: MetricSources): void {
    if (this.metrics) this.metrics.sources = sources;
  }

  /** The Prometheus text of every metric (for GET /metrics). */
  async scrape(): Promise<{ contentType: string; body: string } | null> {
    if (!this.metrics) return null;
    return { contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() };
  }

  /** METRICS_PORT: /metrics on a port of its own (the GraphQL port then has none). Resolves with its URL. */
  async serveMetrics(host: string): Promise<string | null> {
    const port = this.config.metrics.port;
    if (!this.metrics || port === null) return null;
    const server = createServer({ requireHostHeader: false }, (req, res) => {
      res.setHeader('x-request-id', requestIds(req.headers['x-request-id']).id);
      if (refusedWithoutHost(req, res)) return;
      if (req.url?.split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found. Metrics are at /metrics.\n');
        return;
      }
      this.scrape().then(
        (m) => res.writeHead(200, { 'content-type': m!.contentType }).end(m!.body),
        (err: unknown) => {
          this.log.error({ err }, 'metrics scrape failed');
          res.writeHead(500).end();
        },
      );
    });
    answerClientErrors(server, this.log);
    answerOddRequests(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.metricsServer = server;
    const addr = server.address() as AddressInfo;
    return `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${addr.port}/metrics`;
  }

  /** Spans still batched are sent (tests, and before a shutdown). */
  async flush(): Promise<void> {
    await this.tracing?.flush();
  }

  async close(): Promise<void> {
    const server = this.metricsServer;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.tracing?.shutdown();
    this.unregisterDiag();
    // A log line written just before the exit must not be lost in pino's buffer.
    await new Promise<void>((resolve) => this.log.flush(() => resolve()));
  }
}
