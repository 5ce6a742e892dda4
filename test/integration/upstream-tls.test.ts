// An upstream behind TLS with a private CA, as most OpenStack clouds are. Untrusted, its certificate error was
// "could not be reached", retried as if the network had blinked, and the log line of the call said nothing of
// why. Trusted through NODE_EXTRA_CA_CERTS (the README's way), the facade reads it.
import { readFileSync } from 'node:fs';
import { type AddressInfo, connect } from 'node:net';
import { type Server, createServer } from 'node:tls';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTlsRefusal } from '../../src/upstreams/upstreamErrors.js';
import { DEFAULT_PROJECT_ID, startCinderSimulator } from '../../src/simulator/cinder/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { logCapture } from '../helpers/logs.js';
import { closedPort } from '../helpers/ports.js';
import { runMain, untilHealthy } from '../helpers/process.js';

const FIXTURES = new URL('../fixtures/tls/', import.meta.url);
const CA_FILE = new URL('ca.pem', FIXTURES).pathname;

/** TLS in front of a Cinder simulator, with the fixture's certificate for 127.0.0.1; counts TCP connections. */
async function tlsCinder() {
  const sim = await startCinderSimulator({});
  const simPort = Number(new URL(sim.origin).port);
  let connections = 0;
  const server: Server = createServer(
    { key: readFileSync(new URL('upstream.key', FIXTURES)), cert: readFileSync(new URL('upstream.pem', FIXTURES)) },
    (socket) => {
      const upstream = connect(simPort, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    },
  );
  server.on('connection', () => connections++);
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v3/${DEFAULT_PROJECT_ID}`;
  const close = async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await sim.close();
  };
  return { url, connections: () => connections, close };
}

describe('an upstream whose TLS certificate is not trusted', () => {
  let cinder: Awaited<ReturnType<typeof tlsCinder>>;
  let f: Facade;
  const log = logCapture();

  beforeAll(async () => {
    cinder = await tlsCinder();
    f = await startFacade({ CINDER_URL: cinder.url, SIMULATE: 'manila,sdrs' }, undefined, undefined, { logDestination: log.stream });
  });
  afterAll(async () => {
    await f.close();
    await cinder.close();
  });

  it('is named as such, to the client and in the log, and not retried', async () => {
    const before = cinder.connections();
    const r = await f.gql('{ groups(first: 1) { totalCount } }', undefined, { token: 'a-token' });
    const e = r.errors?.[0];
    expect(e?.extensions?.code, r.raw).toBe('UPSTREAM_UNAVAILABLE');
    expect(e?.message).toBe("Cinder's TLS certificate was not accepted (UNABLE_TO_VERIFY_LEAF_SIGNATURE).");
    expect(e?.extensions?.upstream?.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(cinder.connections() - before, 'one connection: a certificate does not heal in 100 ms').toBe(1);
    const failed = log.lines.filter((l) => l.msg === 'upstream call failed' && l.requestId === e?.extensions?.requestId);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ service: 'cinder', code: 'UPSTREAM_UNAVAILABLE', reason: e?.message });
  });

  it('the start-up read of its version document says why it failed', () => {
    const line = log.lines.find((l) => l.msg?.startsWith('upstream version document could not be read') && l.service === 'cinder');
    expect(line?.reason).toBe("Cinder's TLS certificate was not accepted (UNABLE_TO_VERIFY_LEAF_SIGNATURE).");
  });
});

describe('an upstream whose CA is trusted through NODE_EXTRA_CA_CERTS', () => {
  it('is read over TLS', async () => {
    const cinder = await tlsCinder();
    const port = await closedPort();
    const p = runMain({ PORT: String(port), HOST: '127.0.0.1', CINDER_URL: cinder.url, NODE_EXTRA_CA_CERTS: CA_FILE });
    try {
      await untilHealthy(p, port);
      const res = await request(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': 'a-token' },
        body: JSON.stringify({ query: '{ groups(first: 1) { totalCount } }' }),
      });
      expect(await res.body.json()).toMatchObject({ data: { groups: { totalCount: 5 } } });
      expect(cinder.connections()).toBeGreaterThan(0);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
      await cinder.close();
    }
  });
});

describe('isTlsRefusal', () => {
  it.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'HOSTNAME_MISMATCH',
    'PATH_LENGTH_EXCEEDED',
  ])('%s is a certificate refused', (code) => expect(isTlsRefusal(code)).toBe(true));

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ERR_SSL_WRONG_VERSION_NUMBER', 'UND_ERR_SOCKET', 'EPROTO'])(
    '%s is not',
    (code) => expect(isTlsRefusal(code)).toBe(false),
  );
});
