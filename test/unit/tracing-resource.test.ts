// The resource every exported span carries: the service, which instance of it (several replicas behind a router)
// and on which host; the standard variables (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME) over the facade's own.
import { hostname } from 'node:os';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { TracingConfig } from '../../src/observability/config.js';
import { Tracing } from '../../src/observability/tracing.js';

const saved = { attributes: process.env.OTEL_RESOURCE_ATTRIBUTES, name: process.env.OTEL_SERVICE_NAME };
afterEach(() => {
  for (const [key, value] of [['OTEL_RESOURCE_ATTRIBUTES', saved.attributes], ['OTEL_SERVICE_NAME', saved.name]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** The resource attributes of a span the facade exports, as configured by `serviceName` (OTEL_SERVICE_NAME or the default). */
async function resourceOf(serviceName = 'groupgraph') {
  const memory = new InMemorySpanExporter();
  const cfg: TracingConfig = { exporter: 'otlp', protocol: 'http/protobuf', url: undefined, serviceName, scheduleDelayMs: 1, maxExportBatchSize: undefined, maxQueueSize: undefined };
  const tracing = new Tracing(cfg, memory);
  tracing.startRequest({}, {}).end();
  await tracing.flush();
  const attributes = memory.getFinishedSpans()[0]!.resource.attributes;
  await tracing.shutdown();
  return attributes;
}

describe('the traces resource', () => {
  it('names the service, this instance (a new id per process) and the host', async () => {
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    delete process.env.OTEL_SERVICE_NAME;
    const one = await resourceOf();
    const two = await resourceOf();
    expect(one['service.name']).toBe('groupgraph');
    expect(one['host.name']).toBe(hostname());
    expect(one['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(two['service.instance.id']).not.toBe(one['service.instance.id']);
  });

  it('OTEL_RESOURCE_ATTRIBUTES may rename the service and the instance; OTEL_SERVICE_NAME wins over it', async () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'service.name=groupgraph-eu,service.instance.id=pod-7,deployment.environment=prod';
    delete process.env.OTEL_SERVICE_NAME;
    expect(await resourceOf()).toMatchObject({ 'service.name': 'groupgraph-eu', 'service.instance.id': 'pod-7', 'deployment.environment': 'prod' });
    process.env.OTEL_SERVICE_NAME = 'gg-named';
    expect((await resourceOf('gg-named'))['service.name']).toBe('gg-named');
  });
});
