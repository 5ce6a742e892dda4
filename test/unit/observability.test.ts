// Issue 17, the pieces: route templates stay bounded, request ids are taken only when safe, secrets are redacted
// from logged variables, operation-name labels stop at 100, and tracing is off unless OTEL_* asks for it.
import { describe, expect, it, vi } from 'vitest';
import { parseObservability } from '../../src/observability/config.js';
import { isoTime, redactSecrets } from '../../src/observability/logger.js';
import { FacadeMetrics } from '../../src/observability/metrics.js';
import { UpstreamTelemetry } from '../../src/observability/upstream.js';
import { requestIds } from '../../src/observability/requestId.js';
import { routeTemplate } from '../../src/observability/route.js';

const problem = (m: string) => new Error(m);

describe('routeTemplate', () => {
  it.each([
    ['/groups/detail?limit=10&marker=9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01', '/groups/detail'],
    ['/groups/9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01/action', '/groups/{id}/action'],
    ['/jobs/0000000062db92d70162db9d200f000a', '/jobs/{id}'],
    ['/types/42', '/types/{id}'],
    ['/share-groups/my-own-name', '/share-groups/{id}'],
    ['/cgsnapshots/detail', '/cgsnapshots/detail'],
    ['', '/'],
    ['/', '/'],
    ['/v3/', '/v3'],
    // Further in, a version-like segment is a caller's spec key or an upstream's id (each one a new series before).
    ['/group_types/7b2e9c40-3f1d-4a8e-b6c5-2d9e0f1a2b03/group_specs/v1', '/group_types/{id}/group_specs/{id}'],
    ['/group_types/v6.6', '/group_types/{id}'],
  ])('%s -> %s', (path, template) => expect(routeTemplate(path)).toBe(template));

  it('stays right for paths seen before and after its cache of paths starts over', () => {
    for (let i = 0; i < 2_500; i++) {
      expect(routeTemplate(`/groups/${i.toString(16).padStart(8, '0')}-5d6f-4e7a-8b9c-0d1e2f3a4b01/action`)).toBe('/groups/{id}/action');
      expect(routeTemplate(`/volumes/detail?limit=${i}`)).toBe('/volumes/detail');
    }
    expect(routeTemplate('/types/42')).toBe('/types/{id}');
  });
});

describe('requestIds', () => {
  it('takes a safe client id, and sends it upstream only in req-<uuid> form', () => {
    const uuidForm = 'req-0f0e0d0c-0b0a-4909-8807-060504030201';
    expect(requestIds(uuidForm)).toEqual({ id: uuidForm, upstream: uuidForm });
    const safe = requestIds('checkout:42.a_b-c');
    expect(safe.id).toBe('checkout:42.a_b-c');
    expect(safe.upstream).toMatch(/^req-[0-9a-f-]{36}$/);
    for (const unsafe of ['', 'a b', 'x'.repeat(129), 'line\nbreak', 'é', undefined]) {
      const ids = requestIds(unsafe);
      expect(ids.id).toMatch(/^req-[0-9a-f-]{36}$/);
      expect(ids.upstream).toBe(ids.id);
    }
    expect(requestIds('x'.repeat(128)).id).toBe('x'.repeat(128));
  });
});

describe('redactSecrets', () => {
  it('replaces every value named like a secret, at any depth', () => {
    const vars = {
      first: 10,
      input: { name: 'db', adminPassword: 'p', api_key: 'k', nested: [{ authToken: 't', keep: 'yes' }] },
      Authorization: 'Bearer x',
      clientSecret: 's',
      credentials: { user: 'u' },
    };
    expect(redactSecrets(vars)).toEqual({
      first: 10,
      input: { name: 'db', adminPassword: '[redacted]', api_key: '[redacted]', nested: [{ authToken: '[redacted]', keep: 'yes' }] },
      Authorization: '[redacted]',
      clientSecret: '[redacted]',
      credentials: '[redacted]',
    });
  });

  it('also the short words a secret goes by, as whole words of the name only; and a password inside a URL', () => {
    const secretNames = ['passphrase', 'pwd', 'pass', 'passcode', 'auth', 'bearer', 'jwt', 'otp', 'pin', 'cvv', 'hmac', 'certificate', 'mfaCode', 'connectionString', 'dsn', 'userPin', 'pin_code', 'otpCode', 'adminpass', 'rootpass', 'dbpass', 'adminpwd'];
    const plainNames = ['shipping', 'mapping', 'passive', 'compass', 'bypass', 'spinner', 'pinned', 'description', 'first', 'status', 'groupId'];
    const vars = Object.fromEntries([...secretNames, ...plainNames].map((n) => [n, 'v']));
    const redacted = redactSecrets(vars) as Record<string, unknown>;
    for (const n of secretNames) expect(redacted[n], n).toBe('[redacted]');
    for (const n of plainNames) expect(redacted[n], n).toBe('v');
    expect(redactSecrets({ target: 'postgres://admin:hunter2@db:5432/x', note: ['see ftp://me:s3cret@host/a and https://x.org/a@b'] })).toEqual({
      target: 'postgres://admin:[redacted]@db:5432/x',
      note: ['see ftp://me:[redacted]@host/a and https://x.org/a@b'],
    });
  });

  it('secrets written inside strings, and the value of a key/value pair whose key names a secret', () => {
    expect(
      redactSecrets({
        url: 'https://gAAAAABtoken@host/v3',
        jdbc: 'jdbc:postgresql://db/x?user=a&password=hunter2&ssl=true',
        header: 'X-Auth-Token: gAAAAABsecret',
        note: 'api_key=abc123, rest kept',
        specs: [{ key: 'password', value: 'hunter2' }, { key: 'volume_backend_name', value: 'lvm' }],
        plain: 'tokens: 5, status: ok',
      }),
    ).toEqual({
      url: 'https://[redacted]@host/v3',
      jdbc: 'jdbc:postgresql://db/x?user=a&password=[redacted]&ssl=true',
      header: 'X-Auth-Token: [redacted]',
      note: 'api_key=[redacted], rest kept',
      specs: [{ key: 'password', value: '[redacted]' }, { key: 'volume_backend_name', value: 'lvm' }],
      plain: 'tokens: 5, status: ok',
    });
  });
});

describe('redactSecrets on the operator probe\'s canaries (2026-12-07)', () => {
  it('an authorization header, a passphrase, access keys and a JSON text inside a string value', () => {
    const note = 'Authorization: Bearer CAN-A; passphrase=CAN-B; aws_secret_access_key=CAN-C; access_key=CAN-D; {"password":"CAN-E"}; client_secret=CAN-F; OS_PASSWORD=CAN-G';
    const out = JSON.stringify(redactSecrets({ note, alone: 'use Bearer CAN-H here', basic: 'Authorization: Basic Q0FOLUk6Q0FOLUk=' }));
    for (const canary of ['CAN-A', 'CAN-B', 'CAN-C', 'CAN-D', 'CAN-E', 'CAN-F', 'CAN-G', 'CAN-H', 'Q0FOLUk6Q0FOLUk']) expect(out, canary).not.toContain(canary);
    // Words that only begin like a secret's name stay.
    expect(redactSecrets({ plain: 'author: Bob, tokens: 5, keys: 3, basic idea' })).toEqual({ plain: 'author: Bob, tokens: 5, keys: 3, basic idea' });
  });
});

describe('redactSecrets on a review\'s cases (2026-12-07)', () => {
  it('takes time linear in the text, whatever it repeats (a 4 KB value held the event loop for 2.6 s)', () => {
    for (const text of ['token-'.repeat(20_000) + ':', 'a_'.repeat(50_000) + '=', '"password":"'.repeat(8_000), 'basic '.repeat(15_000) + 'A'.repeat(9), 'a.'.repeat(30_000) + '://x', 'a="'.repeat(33_000), 'a='.repeat(50_000), `p=${'x'.repeat(100_000)}`]) {
      const started = performance.now();
      redactSecrets({ text });
      // The quadratic-and-worse forms took seconds to minutes here; linear ones take a few milliseconds.
      expect(performance.now() - started, text.slice(0, 20)).toBeLessThan(1_000);
    }
  });

  it('a quoted secret is redacted whole, spaces and separators included', () => {
    expect(redactSecrets({ a: 'passphrase="correct horse battery staple" rest', b: '{"password":"a,b;c"}', c: "{'password': 'p@ss word'}" })).toEqual({
      a: 'passphrase="[redacted]" rest',
      b: '{"password":"[redacted]"}',
      c: "{'password': '[redacted]'}",
    });
    expect(redactSecrets({ d: 'basic configuration, Basic dXNlcjpwYXNz' })).toEqual({ d: 'basic configuration, Basic [redacted]' });
    // Another name's open quote hides nothing after it, nor does a name of more than 64 characters (second review).
    expect(redactSecrets({ e: `name="O'Brien; password=hunter2 token=abc123`, f: "note='x password=hunter2", g: `${'a'.repeat(60)}_password=hunter2` })).toEqual({
      e: `name="O'Brien; password=[redacted] token=[redacted]`,
      f: "note='x password=[redacted]",
      g: `${'a'.repeat(60)}_password=[redacted]`,
    });
  });
});

describe('operation name labels', () => {
  it('a name longer than 128 characters is `other`, and takes none of the 100 places', () => {
    const m = new FacadeMetrics(true, false);
    expect(m.operationLabel(`L${'x'.repeat(200)}`)).toBe('other');
    expect(m.operationLabel('x'.repeat(128))).toBe('x'.repeat(128));
    for (let i = 0; i < 99; i++) expect(m.operationLabel(`Op${i}`)).toBe(`Op${i}`);
    expect(m.operationLabel('Op99')).toBe('other');
  });

  it('are the names themselves for the first 100, then `other`', () => {
    const m = new FacadeMetrics(true, false);
    for (let i = 0; i < 100; i++) expect(m.operationLabel(`Op${i}`)).toBe(`Op${i}`);
    expect(m.operationLabel('Op100')).toBe('other');
    expect(m.operationLabel('Op7')).toBe('Op7');
    expect(m.operationLabel(null)).toBe('anonymous');
  });
});

describe('parseObservability', () => {
  it('defaults: info JSON logs, metrics on the GraphQL port, tracing off', () => {
    expect(parseObservability({}, problem)).toEqual({
      log: { level: 'info', format: 'json', variables: false },
      metrics: { enabled: true, port: null, operationNames: false },
      tracing: null,
    });
  });

  it('tracing only when the standard variables ask for it', () => {
    expect(parseObservability({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, problem).tracing).toMatchObject({
      exporter: 'otlp',
      protocol: 'http/protobuf',
      url: 'http://collector:4318/v1/traces',
      serviceName: 'groupgraph',
    });
    expect(parseObservability({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom', OTEL_SERVICE_NAME: 'gg' }, problem).tracing).toMatchObject({
      url: 'http://c:4318/custom',
      serviceName: 'gg',
    });
    expect(parseObservability({ OTEL_TRACES_EXPORTER: 'console' }, problem).tracing?.exporter).toBe('console');
    expect(parseObservability({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }, problem).tracing).toBeNull();
    expect(parseObservability({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }, problem).tracing).toBeNull();
  });

  it('refuses what it cannot honour, with one line', () => {
    expect(() => parseObservability({ LOG_LEVEL: 'loud' }, problem)).toThrow(/LOG_LEVEL must be one of/);
    expect(() => parseObservability({ LOG_FORMAT: 'xml' }, problem)).toThrow(/LOG_FORMAT/);
    expect(() => parseObservability({ METRICS_PORT: 'x' }, problem)).toThrow(/METRICS_PORT/);
    expect(() => parseObservability({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, problem)).toThrow(/http\/protobuf or http\/json/);
    expect(() => parseObservability({ OTEL_TRACES_EXPORTER: 'zipkin' }, problem)).toThrow(/OTEL_TRACES_EXPORTER/);
  });
});

describe('isoTime', () => {
  it('writes what pino.stdTimeFunctions.isoTime writes, across milliseconds, seconds and days', () => {
    vi.useFakeTimers();
    try {
      const start = Date.parse('2026-12-31T23:59:58.990Z');
      for (const step of [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 1009, 1010, 2500, 86_400_000 + 7]) {
        vi.setSystemTime(start + step);
        expect(isoTime()).toBe(`,"time":"${new Date(start + step).toISOString()}"`);
      }
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('upstream status labels', () => {
  it('a code no HTTP status has is `other`, so an upstream cannot make a series per code', async () => {
    const m = new FacadeMetrics(false, false);
    const telemetry = new UpstreamTelemetry(null, m, null);
    for (const status of [200, 999, 600, 42]) telemetry.end(telemetry.start('cinder', 'GET', '/groups/detail', 'http://c', undefined, {}), status, null);
    const text = await m.registry.metrics();
    const series = text.split('\n').filter((l) => l.startsWith('upstream_requests_total{'));
    expect(series.map((l) => /status="([^"]+)"/.exec(l)![1]).sort()).toEqual(['200', 'other']);
    expect(series.find((l) => l.includes('status="other"'))).toMatch(/ 3$/);
  });
});
