import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('runs everything on simulators when no upstream is configured', () => {
    const c = loadConfig({});
    expect(c.demo).toBe(true);
    expect(c.port).toBe(4000);
    expect(Object.values(c.services).every((s) => s.kind === 'simulated')).toBe(true);
  });

  it('never simulates a service silently once any endpoint is configured', () => {
    const c = loadConfig({ CINDER_URL: 'http://127.0.0.1:8776/v3/abc/' });
    expect(c.demo).toBe(false);
    expect(c.services.cinder).toEqual({ kind: 'real', url: 'http://127.0.0.1:8776/v3/abc' });
    expect(c.services.manila).toEqual({ kind: 'absent' });
    expect(c.services.sdrs).toEqual({ kind: 'absent' });
  });

  it('simulates only the services SIMULATE names next to configured ones', () => {
    const c = loadConfig({ CINDER_URL: 'http://h/v3/p', SIMULATE: 'sdrs, manila' });
    expect(c.services.manila.kind).toBe('simulated');
    expect(c.services.sdrs.kind).toBe('simulated');
    expect(c.services.cinder.kind).toBe('real');
  });

  it('compiles a document from its second run unless GRAPHQL_COMPILE_AFTER says otherwise', () => {
    expect(loadConfig({}).compileAfter).toBe(1);
    expect(loadConfig({ GRAPHQL_COMPILE_AFTER: '0' }).compileAfter).toBe(0);
    expect(loadConfig({ GRAPHQL_COMPILE_AFTER: ' 25 ' }).compileAfter).toBe(25);
    expect(loadConfig({ GRAPHQL_COMPILE_AFTER: 'OFF' }).compileAfter).toBeNull();
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be a whole number/],
    [{ CINDER_URL: 'not a url' }, /CINDER_URL is not a valid URL/],
    [{ MANILA_URL: 'ftp://x/v2/p' }, /MANILA_URL must be an http/],
    [{ SDRS_URL: 'http://u:p@x/v1/p' }, /must not embed credentials/],
    [{ SIMULATE: 'nova' }, /SIMULATE lists unknown service "nova"/],
    [{ CINDER_URL: 'http://h/v3/p', SIMULATE: 'cinder' }, /choose one/],
    [{ UPSTREAM_TIMEOUT_MS: '-5' }, /UPSTREAM_TIMEOUT_MS/],
    [{ GRAPHQL_COMPILE_AFTER: 'sometimes' }, /GRAPHQL_COMPILE_AFTER must be a whole number .* or "off"/],
    [{ GRAPHQL_COMPILE_AFTER: '-1' }, /GRAPHQL_COMPILE_AFTER/],
  ])('rejects %o with one clear line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
