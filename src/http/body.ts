import type { IncomingMessage } from 'node:http';
import type { DoorCode } from './respond.js';

const ANSWERS = {
  timeout: { status: 408, code: 'REQUEST_TIMEOUT', retryAfter: undefined },
  'too-large': { status: 413, code: 'BAD_REQUEST', retryAfter: undefined },
  encoding: { status: 415, code: 'BAD_REQUEST', retryAfter: undefined },
  budget: { status: 503, code: 'OVERLOADED', retryAfter: 1 },
  shutdown: { status: 503, code: 'SHUTTING_DOWN', retryAfter: 5 },
} as const satisfies Record<string, { status: number; code: DoorCode; retryAfter: number | undefined }>;

/** Why a body was not read, and the door's answer to it (the connection is closed after it). */
export class BodyRefused extends Error {
  readonly status: number;
  readonly code: DoorCode;
  readonly retryAfter: number | undefined;

  constructor(
    readonly reason: keyof typeof ANSWERS,
    message: string,
  ) {
    super(message);
    ({ status: this.status, code: this.code, retryAfter: this.retryAfter } = ANSWERS[reason]);
  }
}

export interface BodyLimits {
  /** The largest body accepted (413 past it). */
  maxBytes: number;
  /** BODY_TIMEOUT_MS: the whole body must arrive within this, counted from the end of the headers (408). */
  timeoutMs: number;
  /**
   * Bytes of bodies being read, over all connections, held in memory at once. A request counts toward
   * MAX_IN_FLIGHT only once its body is in (admission.ts), so bodies being read need their own bound: N clients
   * each sending a nearly full body slowly would hold N × `maxBytes`. The bound is on bytes, not on requests: a
   * bound on requests would be a slot that clients sending one byte each could fill again.
   */
  budgetBytes: number;
}

/**
 * Reads request bodies within a deadline, a size limit and a shared memory budget. `refuseAll` (a drain) ends
 * every read in progress at once instead of letting slow clients hold the shutdown.
 */
export class BodyReader {
  private buffered = 0;
  private readonly reading = new Set<(err: BodyRefused) => void>();

  constructor(private readonly limits: BodyLimits) {}

  /** Bytes held by bodies being read right now. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  read(req: IncomingMessage): Promise<string> {
    const { maxBytes, timeoutMs, budgetBytes } = this.limits;
    const encoded = encodingRefusal(req);
    if (encoded) return Promise.reject(encoded);
    const declared = Number(req.headers['content-length']);
    if (declared > maxBytes) return Promise.reject(new BodyRefused('too-large', `Request body exceeds ${maxBytes} bytes.`));
    return new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const settle = (err: unknown, body?: string) => {
        clearTimeout(timer);
        this.reading.delete(fail);
        this.buffered -= size;
        req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
        if (err) {
          // Nothing more is read from this connection; the answer closes it.
          req.pause();
          reject(err);
        } else {
          resolve(body as string);
        }
      };
      const fail = (err: BodyRefused) => settle(err);
      const onData = (c: Buffer) => {
        if (size + c.length > maxBytes) return fail(new BodyRefused('too-large', `Request body exceeds ${maxBytes} bytes.`));
        if (this.buffered + c.length > budgetBytes) {
          return fail(new BodyRefused('budget', 'Too many request bodies are being received at once; retry shortly.'));
        }
        size += c.length;
        this.buffered += c.length;
        chunks.push(c);
      };
      // A UTF-8 byte order mark before the JSON is dropped: RFC 8259 lets a parser ignore it, and JSON.parse would not.
      const onEnd = () => settle(null, withoutBom(Buffer.concat(chunks, size).toString('utf8')));
      const onError = (err: Error) => settle(err);
      // The client went away before the end of its body ('error' comes first on Node 20; this is the backstop).
      const onClose = () => settle(new Error('the client closed the connection before the end of its body'));
      const timer = setTimeout(
        () => fail(new BodyRefused('timeout', `The request body did not arrive within ${timeoutMs} ms (BODY_TIMEOUT_MS); the connection is closed.`)),
        timeoutMs,
      );
      this.reading.add(fail);
      req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
    });
  }

  /** Ends every read in progress with a refusal (the server is shutting down). */
  refuseAll(message: string): void {
    for (const fail of [...this.reading]) fail(new BodyRefused('shutdown', message));
  }
}

/**
 * A body with a Content-Encoding other than identity, refused before a byte is read: the facade decodes none, and
 * read as it is a gzip body is "not valid JSON" while `br` on a plain one would pass for what it is not.
 */
export function encodingRefusal(req: IncomingMessage): BodyRefused | null {
  const header = req.headers['content-encoding'];
  if (header === undefined) return null;
  const codings = header.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '');
  if (codings.every((c) => c === 'identity')) return null;
  return new BodyRefused(
    'encoding',
    `Content-Encoding ${JSON.stringify(header.slice(0, 64))} is not supported on request bodies; send the body uncompressed (no Content-Encoding, or identity).`,
  );
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * What a request's content-type says of its body: JSON (`application/json`, in UTF-8 or with no charset), JSON in
 * another charset (refused: it would be read as UTF-8), or anything else (Apollo answers it). `application/jsonx`
 * or `text/json` were read as JSON before, and `charset=utf-16` as UTF-8.
 */
export function jsonBody(contentType: string | undefined): 'json' | 'other-charset' | 'other' {
  const [essence = '', ...params] = (contentType ?? '').toLowerCase().split(';').map((p) => p.trim());
  if (essence !== 'application/json') return 'other';
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  return charset === undefined || charset === 'utf-8' || charset === 'utf8' ? 'json' : 'other-charset';
}
