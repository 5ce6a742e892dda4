// OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4318 (no scheme) parsed as a URL of scheme "localhost:": accepted, and
// nothing was ever exported. The OTLP endpoints must be http(s) URLs, refused with one line naming the setting.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('OTLP endpoint settings', () => {
  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'localhost:4318'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'grpc://collector:4317'],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'localhost:4318/v1/traces'],
  ])('%s=%s is refused with one line naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} must be an http:// or https:// URL \\(e\\.g\\. http://localhost:4318\\)`));
  });

  it('names the traces endpoint when that is the bad one, not the general one', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' })).toThrow(/^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/);
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }, 'http://localhost:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'HTTPS://collector.example:443/' }, 'https://collector.example/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom' }, 'http://c:4318/custom'],
  ])('%o exports to %s', (env, url) => {
    expect(loadConfig(env).observability.tracing?.url).toBe(url);
  });
});
