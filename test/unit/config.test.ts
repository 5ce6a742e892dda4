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

  it('gives a request body BODY_TIMEOUT_MS (default 10 s) to arrive', () => {
    expect(loadConfig({}).limits.bodyTimeoutMs).toBe(10_000);
    expect(loadConfig({ BODY_TIMEOUT_MS: '2500' }).limits.bodyTimeoutMs).toBe(2_500);
  });

  it('switches introspection by GRAPHQL_INTROSPECTION alone (default on), whatever NODE_ENV says', () => {
    expect(loadConfig({}).limits.introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', SIMULATE: 'cinder' }).limits.introspection).toBe(true);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'false' }).limits.introspection).toBe(false);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: ' FALSE ' }).limits.introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development', GRAPHQL_INTROSPECTION: '0' }).limits.introspection).toBe(false);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'true' }).limits.introspection).toBe(true);
  });

  it('reads CORS_ORIGINS as an allow-list of exact origins (none by default)', () => {
    expect(loadConfig({}).limits.corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: ' https://portal.example.com, http://localhost:5173/ ,' }).limits.corsOrigins).toEqual([
      'https://portal.example.com',
      'http://localhost:5173',
    ]);
  });

  it('refuses to start in production with nothing configured, rather than serve simulated data', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /^NODE_ENV=production and no CINDER_URL, MANILA_URL, SDRS_URL or KEYSTONE_URL is set: refusing to serve simulated data; set the upstream URLs, or SIMULATE=cinder,manila,sdrs/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', CINDER_URL: ' ' })).toThrow(/refusing to serve simulated data/);
    // Any explicit choice is fine: an endpoint, Keystone, or simulators asked for by name.
    expect(loadConfig({ NODE_ENV: 'production', CINDER_URL: 'http://h/v3/p' }).services.cinder.kind).toBe('real');
    expect(loadConfig({ NODE_ENV: 'production', KEYSTONE_URL: 'http://h:5000/v3' }).port).toBe(4000);
    expect(loadConfig({ NODE_ENV: 'production', SIMULATE: 'cinder,manila,sdrs' }).demo).toBe(true);
    // Outside production the demo mode stays the default.
    expect(loadConfig({ NODE_ENV: 'development' }).demo).toBe(true);
  });

  it('reads UPSTREAM_MAX_CONNECTIONS, 64 by default', () => {
    expect(loadConfig({}).upstreamConnections).toBe(64);
    expect(loadConfig({ UPSTREAM_MAX_CONNECTIONS: '128' }).upstreamConnections).toBe(128);
  });

  it("refuses a duration a timer cannot hold (it would fire at once and cut every request)", () => {
    for (const name of ['UPSTREAM_TIMEOUT_MS', 'REQUEST_DEADLINE_MS', 'BODY_TIMEOUT_MS', 'SHUTDOWN_GRACE_MS', 'SUBSCRIPTION_POLL_MAX_MS']) {
      expect(() => loadConfig({ [name]: '3000000000' }), name).toThrow(new RegExp(`${name} must be at most 2147483647`));
      expect(() => loadConfig({ [name]: '2147483647' }), name).not.toThrow();
    }
  });

  // Probe of 2026-12-07: its default is 0, yet SHUTDOWN_DELAY_MS=0 was refused as "must be a positive whole number".
  it('reads SHUTDOWN_DELAY_MS: 0 by default and when set so, a whole number of ms up to what a timer holds', () => {
    expect(loadConfig({}).limits.shutdownDelayMs).toBe(0);
    expect(loadConfig({ SHUTDOWN_DELAY_MS: '0' }).limits.shutdownDelayMs).toBe(0);
    expect(loadConfig({ SHUTDOWN_DELAY_MS: '5000' }).limits.shutdownDelayMs).toBe(5_000);
    for (const bad of ['-5', 'abc', '1e3', ' 5']) {
      expect(() => loadConfig({ SHUTDOWN_DELAY_MS: bad }), bad).toThrow(/SHUTDOWN_DELAY_MS must be a whole number of milliseconds \(0: none\)/);
    }
    expect(() => loadConfig({ SHUTDOWN_DELAY_MS: '3000000000' })).toThrow(/SHUTDOWN_DELAY_MS must be at most 2147483647/);
  });

  it('reads MAX_SUBSCRIPTIONS_PER_CALLER, 1000 by default', () => {
    expect(loadConfig({}).limits.maxSubscriptionsPerCaller).toBe(1_000);
    expect(loadConfig({ MAX_SUBSCRIPTIONS_PER_CALLER: '3' }).limits.maxSubscriptionsPerCaller).toBe(3);
    expect(() => loadConfig({ MAX_SUBSCRIPTIONS_PER_CALLER: '0' })).toThrow(/MAX_SUBSCRIPTIONS_PER_CALLER must be a positive whole number/);
  });

  it('reads MAX_CONNECTIONS and MAX_CONNECTIONS_PER_CLIENT (0: no limit per client)', () => {
    expect(loadConfig({}).limits).toMatchObject({ maxConnections: 10_000, maxConnectionsPerClient: 1_000 });
    expect(loadConfig({ MAX_CONNECTIONS: '50', MAX_CONNECTIONS_PER_CLIENT: '0' }).limits).toMatchObject({ maxConnections: 50, maxConnectionsPerClient: 0 });
  });

  it('reads MAX_IN_FLIGHT_PER_CALLER (default 16; 0: no limit per caller)', () => {
    expect(loadConfig({}).limits.maxInFlightPerCaller).toBe(16);
    expect(loadConfig({ MAX_IN_FLIGHT_PER_CALLER: '0' }).limits.maxInFlightPerCaller).toBe(0);
    expect(loadConfig({ MAX_IN_FLIGHT_PER_CALLER: '64' }).limits.maxInFlightPerCaller).toBe(64);
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
    [{ UPSTREAM_MAX_CONNECTIONS: '0' }, /UPSTREAM_MAX_CONNECTIONS must be a positive whole number/],
    [{ UPSTREAM_MAX_CONNECTIONS: '5000' }, /UPSTREAM_MAX_CONNECTIONS must be at most 1024, got 5000/],
    [{ GRAPHQL_COMPILE_AFTER: 'sometimes' }, /GRAPHQL_COMPILE_AFTER must be a whole number .* or "off"/],
    [{ GRAPHQL_COMPILE_AFTER: '-1' }, /GRAPHQL_COMPILE_AFTER/],
    [{ BODY_TIMEOUT_MS: '0' }, /BODY_TIMEOUT_MS must be a positive whole number/],
    [{ MAX_CONNECTIONS: '0' }, /MAX_CONNECTIONS must be a positive whole number/],
    [{ MAX_CONNECTIONS_PER_CLIENT: 'lots' }, /MAX_CONNECTIONS_PER_CLIENT must be a whole number \(0: no limit\), got "lots"/],
    [{ MAX_IN_FLIGHT_PER_CALLER: '-1' }, /MAX_IN_FLIGHT_PER_CALLER must be a whole number \(0: no limit\), got "-1"/],
    [{ GRAPHQL_INTROSPECTION: 'yes please' }, /GRAPHQL_INTROSPECTION must be true or false/],
    [{ CORS_ORIGINS: '*' }, /CORS_ORIGINS lists exact origins .* got "\*"/],
    [{ CORS_ORIGINS: 'https://ok.example, https://portal.example/app' }, /CORS_ORIGINS lists exact origins .* got "https:\/\/portal.example\/app"/],
    [{ CORS_ORIGINS: 'portal.example' }, /CORS_ORIGINS lists exact origins/],
  ])('rejects %o with one clear line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('KEYSTONE_* settings', () => {
  const noKeystone = { NODE_ENV: 'production', CINDER_URL: 'http://h/v3/p' };

  it('refuses them without KEYSTONE_URL when no Keystone runs, naming them: identity checks would silently be off', () => {
    expect(() => loadConfig({ ...noKeystone, KEYSTONE_REGION: 'RegionOne' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...noKeystone, KEYSTONE_REGION: 'RegionOne' })).toThrow(
      /^KEYSTONE_REGION is set but KEYSTONE_URL is not: no Keystone runs, .*; set KEYSTONE_URL \(or SIMULATE=keystone\), or unset KEYSTONE_REGION$/,
    );
    expect(() => loadConfig({ ...noKeystone, KEYSTONE_URL: ' ', KEYSTONE_INTERFACE: 'internal', KEYSTONE_CACHE_SECONDS: '30' })).toThrow(
      /^KEYSTONE_INTERFACE, KEYSTONE_CACHE_SECONDS are set but KEYSTONE_URL is not: .*, or unset them$/,
    );
    // Without endpoints and outside production (demo mode) too, when SIMULATE names services but not keystone.
    expect(() => loadConfig({ SIMULATE: 'cinder', CINDER_URL: '', SDRS_URL: 'http://h/v1/p', KEYSTONE_CACHE_SECONDS: '5' })).toThrow(/^KEYSTONE_CACHE_SECONDS is set but KEYSTONE_URL is not/);
  });

  it('checks their values as with Keystone on, whether or not it is', () => {
    for (const base of [noKeystone, { ...noKeystone, KEYSTONE_URL: 'http://h:5000/v3' }]) {
      expect(() => loadConfig({ ...base, KEYSTONE_INTERFACE: 'private' })).toThrow(/^KEYSTONE_INTERFACE must be public, internal or admin, got "private"$/);
      expect(() => loadConfig({ ...base, KEYSTONE_CACHE_SECONDS: 'a minute' })).toThrow(/^KEYSTONE_CACHE_SECONDS must be a whole number of seconds, got "a minute"$/);
    }
  });

  it('takes them wherever a Keystone runs (KEYSTONE_URL, SIMULATE=keystone, the demo), and empty ones anywhere', () => {
    const withUrl = loadConfig({ ...noKeystone, KEYSTONE_URL: 'http://h:5000/v3', KEYSTONE_REGION: 'RegionOne', KEYSTONE_INTERFACE: 'internal' }).identity;
    expect(withUrl).toMatchObject({ kind: 'keystone', region: 'RegionOne', interface: 'internal' });
    expect(loadConfig({ ...noKeystone, SIMULATE: 'keystone', KEYSTONE_CACHE_SECONDS: '5' }).identity).toMatchObject({ kind: 'keystone', cacheMs: 5_000 });
    expect(loadConfig({ KEYSTONE_REGION: 'RegionTwo' }).identity).toMatchObject({ kind: 'keystone', url: 'simulated', region: 'RegionTwo' });
    expect(loadConfig({ ...noKeystone, KEYSTONE_REGION: '', KEYSTONE_INTERFACE: '  ' }).identity).toEqual({ kind: 'none' });
    // Other KEYSTONE_* variables are not the facade's (Kubernetes' service links, the OpenStack test env file).
    expect(loadConfig({ ...noKeystone, KEYSTONE_SERVICE_HOST: '10.0.0.5', KEYSTONE_ADMIN_PASSWORD: 'x' }).identity).toEqual({ kind: 'none' });
  });
});
