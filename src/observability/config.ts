/** The BatchSpanProcessor's settings (OTEL_BSP_*), with the SDK's defaults. */
export interface SpanBatchOptions {
  /** OTEL_BSP_MAX_EXPORT_BATCH_SIZE: a batch leaves as soon as it holds this many spans. */
  maxBatch: number;
  /** OTEL_BSP_SCHEDULE_DELAY: the longest a finished span waits for its batch to leave. */
  delayMs: number;
  /** OTEL_BSP_MAX_QUEUE_SIZE: spans waiting or being sent; past it, spans are dropped (and counted). */
  maxQueue: number;
}

export const SPAN_BATCH_DEFAULTS: SpanBatchOptions = { maxBatch: 512, delayMs: 5_000, maxQueue: 2_048 };

/** Logs, metrics and traces: LOG_*, METRICS_* and the standard OTEL_* variables (README, Configuration). */
export interface ObservabilityConfig {
  log: {
    /** LOG_LEVEL: fatal, error, warn, info (default), debug, trace or silent. */
    level: LogLevel;
    /** LOG_FORMAT: json (default, one object a line on stdout) or pretty (pino-pretty, a dev dependency). */
    format: 'json' | 'pretty';
    /** LOG_VARIABLES: put the request's variables in its line, anything named like a secret redacted. */
    variables: boolean;
  };
  metrics: {
    /** METRICS_ENABLED (default true): /metrics with prom-client; false: no registry at all. */
    enabled: boolean;
    /** METRICS_PORT: serve /metrics on a port of its own; null: on the GraphQL port. */
    port: number | null;
    /** METRICS_OPERATION_NAMES: label GraphQL metrics with operation names (at most 100, then `other`). */
    operationNames: boolean;
  };
  /** Null: tracing is off (no SDK loaded, nothing created per request). */
  tracing: TracingConfig | null;
}

export interface TracingConfig {
  exporter: 'otlp' | 'console';
  /**
   * OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL: http/protobuf (the OTLP default, and the cheaper to encode) or http/json.
   * grpc is not bundled.
   */
  protocol: 'http/protobuf' | 'http/json';
  /** OTLP/HTTP traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  url: string | undefined;
  /** OTEL_SERVICE_NAME, default groupgraph. */
  serviceName: string;
  /** OTEL_BSP_SCHEDULE_DELAY (ms), default 5000: how long finished spans wait to be sent in a batch. */
  scheduleDelayMs: number | undefined;
  /** OTEL_BSP_MAX_EXPORT_BATCH_SIZE (the SDK's default, 512, when unset): a batch leaves as soon as it is full. */
  maxExportBatchSize: number | undefined;
  /** OTEL_BSP_MAX_QUEUE_SIZE (the SDK's default, 2048, when unset): spans waiting to be sent; more are dropped. */
  maxQueueSize: number | undefined;
  /** Bad OTEL_BSP_* values, ignored for their defaults: for one warning line each at start-up (none is silent). */
  ignored?: IgnoredSetting[];
}

/** A setting ignored for its default, as the OpenTelemetry specification asks of a bad OTEL_* value. */
export interface IgnoredSetting {
  variable: string;
  value: string;
  /** One line for the log: the variable, the value ignored and the default used. */
  message: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type ObservabilityEnv = Record<string, string | undefined>;

function flag(env: ObservabilityEnv, name: string, fallback: boolean, problem: (m: string) => Error): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw problem(`${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

/**
 * An OTLP/HTTP URL. `localhost:4318` parses as a URL of scheme "localhost:", and the exporter then sends nothing,
 * silently: only http(s) is taken.
 */
function otlpUrl(name: string, value: string, suffix: string, problem: (m: string) => Error): string {
  const raw = suffix ? `${value.replace(/\/+$/, '')}${suffix}` : value;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return url.toString();
  throw problem(`${name} must be an http:// or https:// URL (e.g. http://localhost:4318), got ${JSON.stringify(value)}`);
}

/**
 * Tracing is on only when the standard variables ask for it: OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-only
 * endpoint) set, or OTEL_TRACES_EXPORTER=otlp|console. OTEL_TRACES_EXPORTER=none and OTEL_SDK_DISABLED=true win.
 */
function parseTracing(env: ObservabilityEnv, problem: (m: string) => Error): TracingConfig | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const general = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (exporters.includes('none')) return null;
  for (const e of exporters) {
    if (e !== 'otlp' && e !== 'console') throw problem(`OTEL_TRACES_EXPORTER must be otlp, console or none, got ${JSON.stringify(e)}`);
  }
  if (exporters.length === 0 && !specific && !general) return null;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim() || 'http/protobuf';
  // OTLP over HTTP only; every OTLP/HTTP receiver (the Collector, Jaeger, Tempo) takes both encodings on 4318.
  // Silently sending HTTP to a gRPC port would look like tracing that works.
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw problem(`OTEL_EXPORTER_OTLP_PROTOCOL ${JSON.stringify(protocol)} is not supported: groupgraph exports OTLP over HTTP (http/protobuf or http/json)`);
  }
  // The general endpoint gets the traces path; the traces-only one is taken as it is (the OTLP specification).
  const url = specific
    ? otlpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific, '', problem)
    : general
      ? otlpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', general, '/v1/traces', problem)
      : undefined;
  const ignored: IgnoredSetting[] = [];
  return {
    exporter: exporters.includes('console') && !exporters.includes('otlp') ? 'console' : 'otlp',
    protocol,
    url,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'groupgraph',
    scheduleDelayMs: bspNumber(env, 'OTEL_BSP_SCHEDULE_DELAY', 0, `${SPAN_BATCH_DEFAULTS.delayMs} ms`, ignored),
    maxExportBatchSize: bspNumber(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1, String(SPAN_BATCH_DEFAULTS.maxBatch), ignored),
    maxQueueSize: bspNumber(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 1, String(SPAN_BATCH_DEFAULTS.maxQueue), ignored),
    ...(ignored.length > 0 ? { ignored } : {}),
  };
}

/**
 * An OTEL_BSP_* number, at least `min`; anything else is ignored and its default used, as the OpenTelemetry
 * specification asks, but with a warning: a typo silently left the batching it meant to change as it was.
 */
function bspNumber(env: ObservabilityEnv, name: string, min: number, fallback: string, ignored: IgnoredSetting[]): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw) && Number(raw) >= min && Number.isSafeInteger(Number(raw))) return Number(raw);
  const wanted = min === 0 ? 'a whole number' : `a whole number from ${min}`;
  ignored.push({ variable: name, value: env[name]!, message: `${name} must be ${wanted}, got ${JSON.stringify(env[name])}: ignored, the default (${fallback}) used` });
  return undefined;
}

export function parseObservability(env: ObservabilityEnv, problem: (m: string) => Error): ObservabilityConfig {
  const level = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw problem(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env.LOG_LEVEL)}`);
  const format = env.LOG_FORMAT?.trim().toLowerCase() || 'json';
  if (format !== 'json' && format !== 'pretty') throw problem(`LOG_FORMAT must be json or pretty, got ${JSON.stringify(env.LOG_FORMAT)}`);
  const portRaw = env.METRICS_PORT?.trim();
  if (portRaw && (!/^\d+$/.test(portRaw) || Number(portRaw) > 65535)) {
    throw problem(`METRICS_PORT must be a whole number from 0 to 65535, got ${JSON.stringify(portRaw)}`);
  }
  return {
    log: { level, format, variables: flag(env, 'LOG_VARIABLES', false, problem) },
    metrics: {
      enabled: flag(env, 'METRICS_ENABLED', true, problem),
      port: portRaw ? Number(portRaw) : null,
      operationNames: flag(env, 'METRICS_OPERATION_NAMES', false, problem),
    },
    tracing: parseTracing(env, problem),
  };
}
