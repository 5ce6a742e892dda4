// Upstreams reached through the standard HTTP_PROXY / HTTPS_PROXY / NO_PROXY variables, as an operator whose facade
// reaches a cloud only through the company's proxy sets them: undici ignores them by default, so every call went
// direct and failed. Loopback (the embedded simulators, a cloud on this host) is never proxied.
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_PROJECT_ID, startCinderSimulator } from '../../src/simulator/cinder/index.js';
import { redacted } from '../../src/upstreams/proxy.js';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';

const HOST = 'cinder.example.test';

/** How the proxy answers its n-th CONNECT (from 1) instead of tunnelling: a status, or 'hang' (never). */
type Refusal = (n: number) => number | 'hang' | undefined;

/** An HTTP CONNECT proxy that knows one host name: HOST, tunnelled to `port` on loopback, unless `refusal` says. */
async function connectProxy(port: number, refusal: Refusal = () => undefined) {
  const tunnels: { target: string; auth: string | undefined }[] = [];
  const server = createServer((_, res) => res.writeHead(501).end());
  // A tunnel's socket is no longer the HTTP server's: destroyed on close by hand.
  const held = new Set<Duplex>();
  server.on('connect', (req, socket, head) => {
    tunnels.push({ target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    held.add(socket);
    socket.on('error', () => {});
    const refuse = refusal(tunnels.length);
    if (refuse === 'hang') return;
    if (refuse) return void socket.end(`HTTP/1.1 ${refuse} Refused\r\n\r\n`);
    if (!req.url?.startsWith(`${HOST}:`)) return void socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    const upstream = connect(port, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((r) => (held.forEach((socket) => socket.destroy()), server.close(() => r())));
  server.on('connection', (s) => s.unref());
  return { url, tunnels, close };
}

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

async function setup(
  env: (proxyUrl: string) => Record<string, string>,
  refusal?: Refusal,
): Promise<{ f: Facade; tunnels: { target: string; auth: string | undefined }[] }> {
  const sim = await startCinderSimulator({});
  const proxy = await connectProxy(Number(new URL(sim.origin).port), refusal);
  const f = await startFacade({ CINDER_URL: `http://${HOST}/v3/${DEFAULT_PROJECT_ID}`, SIMULATE: 'manila,sdrs', ...env(proxy.url) });
  closers.push(() => sim.close(), () => proxy.close(), () => f.close());
  return { f, tunnels: proxy.tunnels };
}

const QUERY = '{ groups(first: 1) { totalCount } shareGroups(first: 1) { totalCount } }';

describe('upstream calls through a proxy', () => {
  it('HTTP_PROXY: a configured upstream through it, with its credentials; the simulators on loopback not', async () => {
    const { f, tunnels } = await setup((url) => ({ HTTP_PROXY: url.replace('//', '//ops:s3cret@') }));
    const data = await f.ok<any>(QUERY, undefined, { token: 'a-token' });
    expect(data.groups.totalCount).toBe(5);
    expect(data.shareGroups.totalCount).toBeGreaterThan(0);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(new Set(tunnels.map((t) => t.target))).toEqual(new Set([`${HOST}:80`]));
    expect(tunnels[0]!.auth).toBe(`Basic ${Buffer.from('ops:s3cret').toString('base64')}`);
  });

  it('the lower-case name works too', async () => {
    const { f, tunnels } = await setup((url) => ({ http_proxy: url }));
    expect((await f.ok<any>(QUERY, undefined, { token: 'a-token' })).groups.totalCount).toBe(5);
    expect(tunnels.length).toBeGreaterThan(0);
  });

  it('NO_PROXY: a host it names is reached directly (here: a name no DNS knows)', async () => {
    const { f, tunnels } = await setup((url) => ({ HTTP_PROXY: url, NO_PROXY: 'example.test' }));
    const r = await f.gql(QUERY, undefined, { token: 'a-token' });
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(r.errors?.[0]?.message).toMatch(/^Cinder could not be reached \((ENOTFOUND|EAI_AGAIN)\)\.$/);
    expect(tunnels).toEqual([]);
  });

  it('without a proxy variable nothing changes: the call goes direct', async () => {
    const { f, tunnels } = await setup(() => ({}));
    const r = await f.gql(QUERY, undefined, { token: 'a-token' });
    expect(r.errors?.[0]?.message).toMatch(/^Cinder could not be reached/);
    expect(tunnels).toEqual([]);
  });
});

describe('a proxy that refuses or does not answer', () => {
  it.each([
    [407, 1],
    [403, 1],
    [502, 2],
  ])('a tunnel refused with %i is UPSTREAM_UNAVAILABLE saying so, sent %i time(s)', async (status, sent) => {
    const { f, tunnels } = await setup((url) => ({ HTTP_PROXY: url }), () => status);
    tunnels.length = 0; // the start-up version read
    const r = await f.gql('{ groups(first: 1) { totalCount } }', undefined, { token: 'a-token' });
    expect(r.errors?.[0]?.message, r.raw).toBe(`Cinder could not be reached: the proxy answered ${status}.`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { code: `PROXY_${status}` } });
    expect(tunnels).toHaveLength(sent);
  });

  it('a CONNECT left unanswered ends within the connect timeout (3 s), not at the request deadline', async () => {
    // The start-up read (and its retry) refused at once; the request's own CONNECT is left unanswered.
    const env = (url: string) => ({ HTTP_PROXY: url, REQUEST_DEADLINE_MS: '12000', UPSTREAM_TIMEOUT_MS: '10000' });
    const { f, tunnels } = await setup(env, (n) => (n <= 2 ? 503 : 'hang'));
    await waitFor(async () => tunnels.length, (n) => n >= 2);
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    const r = await f.gql('{ groups(first: 1) { totalCount } }', undefined, { token: 'a-token' });
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(8_000);
  });
});

describe('proxy settings', () => {
  it('a proxy that is not an http(s) URL stops the start, naming the variable, never its password', () => {
    expect(() => loadConfig({ HTTPS_PROXY: 'ftp://proxy.example.net:3128' })).toThrow(ConfigError);
    expect(() => loadConfig({ HTTPS_PROXY: 'http://' })).toThrow(/^HTTPS_PROXY must be an http:\/\/ or https:\/\/ proxy URL/);
    expect(() => loadConfig({ HTTP_PROXY: 'socks5://u:pw-secret@proxy:1080' })).toThrow(/HTTP_PROXY/);
    expect(() => loadConfig({ HTTP_PROXY: 'socks5://u:pw-secret@proxy:1080' })).not.toThrow(/pw-secret/);
    for (const bad of ['ops:pw-secret@proxy:99999', 'http://ops:pw/secret@proxy:3128']) {
      expect(() => loadConfig({ HTTPS_PROXY: bad })).toThrow(/HTTPS_PROXY must be/);
      expect(() => loadConfig({ HTTPS_PROXY: bad })).not.toThrow(/secret/);
    }
    // undici would send no credentials at all for a user without a password.
    expect(() => loadConfig({ HTTPS_PROXY: 'http://ops@proxy:3128' })).toThrow(/HTTPS_PROXY names a proxy user without a password/);
  });

  it('loopback is always exempt, NO_PROXY kept', () => {
    expect(loadConfig({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.internal' }).proxy).toEqual({
      httpProxy: '',
      httpsProxy: 'http://proxy:3128',
      noProxy: '.internal,localhost,127.0.0.1,[::1]',
    });
    expect(loadConfig({}).proxy).toBeNull();
    expect(loadConfig({ HTTP_PROXY: 'http://proxy:3128', no_proxy: '*' }).proxy).toBeNull();
    // An IPv6 address in brackets, as undici compares it.
    expect(loadConfig({ HTTP_PROXY: 'http://proxy:3128', NO_PROXY: 'fd00::5 [fd00::6]' }).proxy?.noProxy).toBe('[fd00::5],[fd00::6],localhost,127.0.0.1,[::1]');
    // host:port alone is http://, as curl reads it.
    expect(loadConfig({ https_proxy: 'proxy.example.net:3128' }).proxy?.httpsProxy).toBe('http://proxy.example.net:3128');
  });

  it('a proxy URL is logged without its password', () => {
    expect(redacted('http://ops:s3cret@proxy:3128')).toBe('http://ops:***@proxy:3128/');
    expect(redacted('http://tokenonly@proxy:3128')).toBe('http://***@proxy:3128/');
  });
});
