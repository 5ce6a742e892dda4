// A bad OTEL_BSP_* value (OTEL_BSP_SCHEDULE_DELAY=abc, a negative one, OTEL_BSP_MAX_EXPORT_BATCH_SIZE=0) was dropped
// without a word: the OpenTelemetry specification asks that it be ignored with a warning. The configuration now
// names each one ignored, its value and the default used, for one start-up line each; good values are taken as before.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const tracing = (env: Record<string, string>) => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', ...env }).observability.tracing!;

describe('bad OTEL_BSP_* values', () => {
  it.each([
    ['OTEL_BSP_SCHEDULE_DELAY', 'abc', 'scheduleDelayMs', /OTEL_BSP_SCHEDULE_DELAY must be a whole number, got "abc": ignored, the default \(5000 ms\) used/],
    ['OTEL_BSP_SCHEDULE_DELAY', '-5', 'scheduleDelayMs', /OTEL_BSP_SCHEDULE_DELAY .* got "-5": ignored, the default \(5000 ms\) used/],
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '0', 'maxExportBatchSize', /OTEL_BSP_MAX_EXPORT_BATCH_SIZE must be a whole number from 1, got "0": ignored, the default \(512\) used/],
    ['OTEL_BSP_MAX_QUEUE_SIZE', '1e3', 'maxQueueSize', /OTEL_BSP_MAX_QUEUE_SIZE .* got "1e3": ignored, the default \(2048\) used/],
  ] as const)('%s=%s: ignored for the default, and named with its value', (variable, value, field, message) => {
    const t = tracing({ [variable]: value });
    expect(t[field]).toBeUndefined();
    expect(t.ignored).toEqual([{ variable, value, message: expect.stringMatching(message) }]);
  });

  it('each bad one is named once; good ones are taken without a word', () => {
    const t = tracing({ OTEL_BSP_SCHEDULE_DELAY: 'soon', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0', OTEL_BSP_MAX_QUEUE_SIZE: '4096' });
    expect(t.ignored?.map((i) => i.variable)).toEqual(['OTEL_BSP_SCHEDULE_DELAY', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE']);
    expect(t.maxQueueSize).toBe(4096);
    const good = tracing({ OTEL_BSP_SCHEDULE_DELAY: '0', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '100', OTEL_BSP_MAX_QUEUE_SIZE: ' 300 ' });
    expect(good).toMatchObject({ scheduleDelayMs: 0, maxExportBatchSize: 100, maxQueueSize: 300 });
    expect(good.ignored).toBeUndefined();
  });
});
