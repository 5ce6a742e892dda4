// METRICS_PORT equal to PORT was accepted and failed later with EADDRINUSE and a stack; a HOST that is neither an IP
// address nor a host name was accepted too. Both now stop start-up with one line naming the setting.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('METRICS_PORT and PORT', () => {
  it.each([
    [{ PORT: '9090', METRICS_PORT: '9090' }],
    [{ METRICS_PORT: '4000' }],
  ])('%o: the same port is refused', (env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/^METRICS_PORT must differ from PORT/);
  });

  it.each([
    [{ PORT: '0', METRICS_PORT: '0' }],
    [{ PORT: '4000', METRICS_PORT: '9464' }],
    [{ METRICS_PORT: '4000', METRICS_ENABLED: 'false' }],
  ])('%o is taken', (env) => {
    expect(() => loadConfig(env)).not.toThrow();
  });
});

describe('HOST', () => {
  it.each(['0.0.0.0:4000', 'http://0.0.0.0', '[::1]', 'my host', 'bad_host', '-lead.example', 'a..b', `${'x'.repeat(64)}.example`])('%s is refused with one line', (host) => {
    expect(() => loadConfig({ HOST: host })).toThrow(ConfigError);
    expect(() => loadConfig({ HOST: host })).toThrow(/^HOST must be an IP address or a host name/);
  });

  it.each([
    ['0.0.0.0', '0.0.0.0'],
    ['::', '::'],
    ['::1', '::1'],
    ['127.0.0.1', '127.0.0.1'],
    ['localhost', 'localhost'],
    ['facade-1.internal.example.net', 'facade-1.internal.example.net'],
    [' 10.0.0.5 ', '10.0.0.5'],
    ['', '0.0.0.0'],
  ])('%o listens on %s', (host, expected) => {
    expect(loadConfig({ HOST: host }).host).toBe(expected);
  });
});
