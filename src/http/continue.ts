import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodingRefusal } from './body.js';

/** Requests that came with `Expect: 100-continue` and have not been asked for their body yet. */
const waiting = new WeakMap<IncomingMessage, ServerResponse>();

/** Node's 'checkContinue': the 100 waits until the facade is about to read the body (`askForBody`). */
export function holdContinue(req: IncomingMessage, res: ServerResponse): void {
  waiting.set(req, res);
}

/**
 * Asks a client waiting on `Expect: 100-continue` for its body, once the facade will read it: a request refused
 * on its headers (a malformed token, a full door, a declared size over the limit, an encoding) is answered without
 * the upload.
 */
export function askForBody(req: IncomingMessage, maxBytes: number): void {
  const res = waiting.get(req);
  if (!res) return;
  waiting.delete(req);
  if (Number(req.headers['content-length']) > maxBytes || encodingRefusal(req)) return;
  res.writeContinue();
}
