import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import Negotiator from 'negotiator';

/** Answers shorter than this (in characters) go as they are: a header or two is all compressing them would save. */
export const COMPRESS_FROM_BYTES = 1024;

// Our order of preference when the client's q-values tie; identity is always acceptable unless refused.
const ENCODINGS = ['br', 'gzip', 'identity'];
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);
// Brotli at quality 4: about gzip's default speed (both in libuv's pool, off the event loop), a smaller answer.
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } };

interface PreferringNegotiator {
  encoding(available: string[], options: { preferred: string[] }): string | undefined;
}

/** The encoding to answer in for this Accept-Encoding: br or gzip, or null (none asked, or only others). */
export function encodingFor(acceptEncoding: string | string[] | undefined): 'br' | 'gzip' | null {
  if (typeof acceptEncoding !== 'string' || acceptEncoding === '' || acceptEncoding === 'identity') return null;
  // negotiator 1.x takes our preference for ties; @types/negotiator does not know the option yet.
  const negotiator = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } }) as unknown as PreferringNegotiator;
  const chosen = negotiator.encoding(ENCODINGS, { preferred: ENCODINGS });
  return chosen === 'br' || chosen === 'gzip' ? chosen : null;
}

/**
 * Ends a GraphQL answer: compressed (RESPONSE_COMPRESSION) when the client takes br or gzip and it is long enough,
 * as Apollo Router does; a page of a thousand groups is a tenth of its size gzipped. Vary says it depends on that.
 */
export async function endAnswer(req: IncomingMessage, res: ServerResponse, body: string, compress: boolean): Promise<void> {
  const encoding = compress ? varying(req, res, body.length) : null;
  // A client gone (it left, or a drain cut it) is sent nothing: nothing is compressed for it.
  if (!encoding || res.destroyed) return void res.end(body);
  const compressed = encoding === 'br' ? await brotli(body, BROTLI) : await gzipped(body);
  endCompressed(res, encoding, compressed);
}

/** Vary: Accept-Encoding on a compressible answer, and the encoding to send it in (null: as it is). */
function varying(req: IncomingMessage, res: ServerResponse, length: number): 'br' | 'gzip' | null {
  const vary = res.getHeader('vary');
  res.setHeader('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
  return length >= COMPRESS_FROM_BYTES ? encodingFor(req.headers['accept-encoding']) : null;
}

function endCompressed(res: ServerResponse, encoding: 'br' | 'gzip', compressed: Buffer): void {
  if (res.destroyed) return void res.end();
  res.setHeader('content-encoding', encoding);
  res.setHeader('content-length', compressed.length);
  res.end(compressed);
}

/** GraphiQL's files compressed once each (about 1.4 MB of JavaScript and CSS as they are), at a higher quality. */
const assets = new WeakMap<Buffer, Map<string, Promise<Buffer>>>();
const BROTLI_ASSET = { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } };

/** Ends a static file's answer (headers set), compressed as `endAnswer` would, from a copy kept per file and encoding. */
export async function endAsset(req: IncomingMessage, res: ServerResponse, body: Buffer, compress: boolean): Promise<void> {
  const encoding = compress ? varying(req, res, body.length) : null;
  if (!encoding) return void res.end(body);
  let copies = assets.get(body);
  if (!copies) assets.set(body, (copies = new Map()));
  let copy = copies.get(encoding);
  if (!copy) copies.set(encoding, (copy = encoding === 'br' ? brotli(body, BROTLI_ASSET) : gzipped(body, { level: 9 })));
  endCompressed(res, encoding, await copy);
}
