import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { codeForStatus } from '../../src/upstreams/http.js';
import { classifySdrsError, SdrsClient } from '../../src/upstreams/sdrs/client.js';
import { createAgent } from '../../src/upstreams/http.js';

/** What the facade finally answers for an SDRS error: the classifier, else the HTTP status. */
const codeFor = (status: number, upstreamCode: string | null) => classifySdrsError(status, upstreamCode, 'm') ?? codeForStatus(status);

describe('SDRS error classifier', () => {
  it.each([
    [400, 'SDRS.1013', 'NOT_FOUND'],
    [404, 'SDRS.1013', 'NOT_FOUND'],
    [400, 'SDRS.1002', 'CONFLICT'],
    ...[1017, 1018, 1019, 1020, 1021, 1022, 1023, 1024].map((n) => [400, `SDRS.${n}`, 'CONFLICT'] as const),
    [400, 'SDRS.1001', 'CONFLICT'],
    [400, 'SDRS.1003', 'CONFLICT'],
    [400, 'SDRS.1010', 'CONFLICT'],
    [400, 'SDRS.1320', 'NOT_FOUND'],
    [400, 'SDRS.1608', 'NOT_FOUND'],
    [400, 'SDRS.1902', 'NOT_FOUND'],
    ...[1314, 1316, 1319, 1328, 1342, 1352, 1601, 1823, 1824, 1830].map((n) => [400, `SDRS.${n}`, 'CONFLICT'] as const),
    [400, 'SDRS.0208', 'BAD_USER_INPUT'],
    [400, 'SDRS.1900', 'BAD_USER_INPUT'],
    [400, 'SDRS.1016', 'BAD_USER_INPUT'],
    [400, 'SDRS.1025', 'BAD_USER_INPUT'],
    [400, 'SDRS.0201', 'BAD_USER_INPUT'],
    // The error table's common status conflicts (reference check of 2026-12-08).
    [400, 'SDRS.0209', 'CONFLICT'],
    [400, 'SDRS.0214', 'CONFLICT'],
    [400, 'SDRS.0221', 'BAD_USER_INPUT'],
    [400, 'SDRS.1027', 'BAD_USER_INPUT'],
    [400, null, 'BAD_USER_INPUT'],
    [500, 'SDRS.0408', 'NOT_FOUND'],
    [404, 'SDRS.0408', 'NOT_FOUND'],
    [500, 'SDRS.0401', 'UPSTREAM_ERROR'],
    [503, 'SDRS.0006', 'UPSTREAM_UNAVAILABLE'],
    [401, 'APIGW.0301', 'UNAUTHENTICATED'],
    [403, 'SDRS.0002', 'FORBIDDEN'],
    [404, 'APIGW.0101', 'UPSTREAM_ERROR'],
    [404, 'itemNotFound', 'NOT_FOUND'],
  ] as const)('HTTP %i %s -> %s', (status, code, expected) => {
    expect(codeFor(status, code)).toBe(expected);
  });

  it('does not mistake look-alike codes for conflicts', () => {
    expect(classifySdrsError(400, 'SDRS.10020', 'm')).toBeUndefined();
    expect(classifySdrsError(400, 'sdrs.1002', 'm')).toBeUndefined();
    expect(classifySdrsError(400, 'SDRS.1013x', 'm')).toBeUndefined();
  });
});

// The same mapping end to end: each SDRS envelope shape, sent over HTTP, becomes one UpstreamError.
const CANNED: Record<string, { status: number; body: string }> = {
  '/p/server-groups/missing': { status: 400, body: '{"error": {"code": "SDRS.1013", "message": "Protection group not found: missing"}}' },
  '/p/server-groups/busy/action': { status: 400, body: '{"error": {"code": "SDRS.1002", "message": "Operation not allowed"}}' },
  '/p/server-groups/bad/action': { status: 400, body: '{"badrequest": {"code": "SDRS.0201", "message": "Invalid request parameters"}}' },
  '/p/jobs/gone': { status: 404, body: '{"itemNotFound": {"code": "SDRS.0408", "message": "Null job"}}' },
  '/p/server-groups/gw': { status: 404, body: '{"error_code": "APIGW.0101", "error_msg": "The API does not exist", "request_id": "r1"}' },
  '/p/server-groups/auth': { status: 401, body: '{"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}' },
  '/p/server-groups/down': { status: 503, body: '<html>Service Unavailable</html>' },
};

let server: Server;
let client: SdrsClient;
const caller = { token: 'gAAAAABfake-iam-token-0123456789', requestId: 'req-1' };

beforeAll(async () => {
  server = createServer((req, res) => {
    const c = CANNED[(req.url ?? '').split('?')[0]!] ?? { status: 500, body: '' };
    res.writeHead(c.status, { 'content-type': 'application/json' });
    res.end(c.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  client = new SdrsClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/p`, createAgent());
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error('expected a failure');
}

describe('SDRS envelopes through the client', () => {
  it.each([
    ['show missing', () => client.showGroup(caller, 'missing'), 'NOT_FOUND', 400, 'SDRS.1013', /Protection group not found/],
    ['action wrong state', () => client.groupAction(caller, 'busy', 'stop-server-group'), 'CONFLICT', 400, 'SDRS.1002', /Operation not allowed/],
    ['badrequest (lower-case)', () => client.groupAction(caller, 'bad', 'start-server-group'), 'BAD_USER_INPUT', 400, 'SDRS.0201', /Invalid request/],
    ['job missing', () => client.showJob(caller, 'gone'), 'NOT_FOUND', 404, 'SDRS.0408', /Null job/],
    ['gateway no route', () => client.showGroup(caller, 'gw'), 'UPSTREAM_ERROR', 404, 'APIGW.0101', /does not exist/],
    ['gateway auth', () => client.showGroup(caller, 'auth'), 'UNAUTHENTICATED', 401, 'APIGW.0301', /IAM/],
    ['html 503', () => client.showGroup(caller, 'down'), 'UPSTREAM_UNAVAILABLE', 503, null, /SDRS answered HTTP 503/],
  ] as const)('%s', async (_, run, code, status, upstreamCode, message) => {
    const err = await failure(run());
    expect(err).toMatchObject({ code, status, upstreamCode, service: 'sdrs' });
    expect(err.message).toMatch(message);
  });
});

describe('SDRS permission refusals', () => {
  it('SDRS.0004 (incorrect API invoking permissions, a 400 in its table) is FORBIDDEN', () => {
    expect(classifySdrsError(400, 'SDRS.0004', 'Incorrect API invoking permissions')).toBe('FORBIDDEN');
  });
});
