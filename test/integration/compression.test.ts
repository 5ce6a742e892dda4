// Answers of 1 KiB and more are compressed (br or gzip) for clients that take them, as Apollo Router does: a page
// of groups went over the wire as plain JSON, ten times its gzipped size, to every browser.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodingFor } from '../../src/http/compression.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const BIG = '{ groups(first: 50) { nodes { id name description status groupType { name } volumes { id name size } } } }';
const SMALL = '{ groups(first: 1) { totalCount } }';

async function post(f: Facade, query: string, headers: Record<string, string> = {}) {
  const res = await request(f.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const raw = Buffer.from(await res.body.arrayBuffer());
  const encoding = res.headers['content-encoding'];
  const plain = encoding === 'gzip' ? gunzipSync(raw) : encoding === 'br' ? brotliDecompressSync(raw) : raw;
  return { status: res.statusCode, headers: res.headers, bytes: raw.length, json: JSON.parse(plain.toString('utf8')) };
}

describe('response compression', () => {
  let f: Facade;
  let off: Facade;
  beforeAll(async () => {
    [f, off] = await Promise.all([
      startFacade({ SIMULATE: 'cinder', CORS_ORIGINS: 'https://portal.example.com' }),
      startFacade({ SIMULATE: 'cinder', RESPONSE_COMPRESSION: 'false' }),
    ]);
  });
  afterAll(() => Promise.all([f.close(), off.close()]));

  it.each([
    ['gzip', 'gzip'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
  ])('Accept-Encoding %s: the answer in %s, the same data, smaller', async (accept, encoding) => {
    const plain = await post(f, BIG);
    const packed = await post(f, BIG, { 'accept-encoding': accept });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(packed.headers['content-encoding']).toBe(encoding);
    expect(packed.headers.vary).toMatch(/Accept-Encoding/);
    expect(Number(packed.headers['content-length'])).toBe(packed.bytes);
    expect(packed.json).toEqual(plain.json);
    expect(packed.json.data.groups.nodes.length).toBeGreaterThan(1);
    expect(packed.bytes).toBeLessThan(plain.bytes / 2);
  });

  it('a short answer, or a client that takes neither, gets plain JSON', async () => {
    expect((await post(f, SMALL, { 'accept-encoding': 'gzip' })).headers['content-encoding']).toBeUndefined();
    expect((await post(f, BIG, { 'accept-encoding': 'deflate' })).headers['content-encoding']).toBeUndefined();
    expect((await post(f, BIG, { 'accept-encoding': 'gzip;q=0' })).headers['content-encoding']).toBeUndefined();
  });

  it('RESPONSE_COMPRESSION=false: plain JSON whatever the client takes', async () => {
    const r = await post(off, BIG, { 'accept-encoding': 'gzip, br' });
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.json.data.groups.nodes.length).toBeGreaterThan(1);
  });

  it('keeps the CORS Vary: Origin beside Accept-Encoding', async () => {
    const r = await post(f, BIG, { 'accept-encoding': 'gzip', origin: 'https://portal.example.com' });
    expect(r.headers.vary).toBe('Origin, Accept-Encoding');
  });

  it('fetch (as a browser or Apollo Client sends it) reads the compressed answer', async () => {
    const res = await fetch(f.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: BIG }) });
    expect(res.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
    const body = (await res.json()) as { data: { groups: { nodes: unknown[] } } };
    expect(body.data.groups.nodes.length).toBeGreaterThan(1);
  });

  it.each(['gzip', 'br'])('GraphiQL\'s files in %s, compressed once each', async (encoding) => {
    const read = async (accept?: string) => {
      const res = await request(f.url.replace(/graphql$/, 'graphiql/graphiql.js'), { headers: accept ? { 'accept-encoding': accept } : {} });
      return { headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
    };
    const plain = await read();
    const [first, second] = [await read(encoding), await read(encoding)];
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(first.headers['content-encoding']).toBe(encoding);
    const unpack = encoding === 'br' ? brotliDecompressSync : gunzipSync;
    expect(unpack(first.body).equals(plain.body)).toBe(true);
    expect(second.body.equals(first.body)).toBe(true);
    expect(first.body.length).toBeLessThan(plain.body.length / 3);
  });

  it('encodingFor', () => {
    expect(encodingFor(undefined)).toBeNull();
    expect(encodingFor('identity')).toBeNull();
    expect(encodingFor('*')).toBe('br');
    expect(encodingFor('identity;q=0, gzip;q=0')).toBeNull();
  });
});
