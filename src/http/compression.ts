import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import Negotiator from 'negotiator';

/** Answers shorter than this go as they are: a header or two is all compressing them would save. */
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
  if (!compress) return void res.end(body);
  const vary = res.getHeader('vary');
  res.setHeader('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
  const encoding = body.length >= COMPRESS_FROM_BYTES ? encodingFor(req.headers['accept-encoding']) : null;
  if (!encoding) return void res.end(body);
  const compressed = encoding === 'br' ? await brotli(body, BROTLI) : await gzipped(body);
  res.setHeader('content-encoding', encoding);
  res.setHeader('content-length', compressed.length);
  res.end(compressed);
}
