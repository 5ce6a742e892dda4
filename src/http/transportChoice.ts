import type { IncomingMessage } from 'node:http';
import { type IdentityAdmission, doorCaller, malformedToken, tokenOf } from '../context.js';
import { bodyParams, isSubscription } from '../live/operationKind.js';
import { acceptChoice } from '../live/sse.js';
import type { Admission } from './admission.js';
import { type BodyReader, BodyRefused } from './body.js';
import { askForBody } from './continue.js';
import type { ClientAddresses } from './forwarded.js';

/** SSE (with the body when it was read here) or JSON (with the body, or why it was refused, when read here). */
export type Transport = { stream: true; raw?: string } | { stream: false; raw?: string | BodyRefused };

export interface TransportChoiceOptions {
  identity: IdentityAdmission | null;
  admission: Admission;
  bodies: BodyReader;
  clients: ClientAddresses;
  maxBodyBytes: number;
  maxTokens: number;
}

/**
 * SSE or JSON for a GET or POST /graphql, by the Accept header; when it weighs both alike (urql's default), by the
 * document: read here for a POST and handed on, or its refusal handed to the JSON path, which answers and logs it.
 * A request its headers already refuse (a malformed token, a full door) goes there unread, as any other.
 */
export function transportChooser(o: TransportChoiceOptions): (req: IncomingMessage, url: URL) => Promise<Transport> {
  return async (req, url) => {
    const choice = acceptChoice(req.headers.accept);
    if (choice !== 'either') return { stream: choice === 'stream' };
    if (req.method === 'GET') return { stream: isSubscription(url.searchParams.get('query'), url.searchParams.get('operationName'), o.maxTokens) };
    const token = tokenOf(req.headers);
    const caller = doorCaller(o.identity, token, o.clients.of(req), o.admission.acceptedTokens);
    if (malformedToken(token) || o.admission.check(caller.key, caller.onceAccepted !== null, caller.group)) return { stream: false };
    let raw: string;
    try {
      askForBody(req, o.maxBodyBytes);
      raw = await o.bodies.read(req);
    } catch (err) {
      if (!(err instanceof BodyRefused)) throw err;
      return { stream: false, raw: err };
    }
    const params = bodyParams(raw);
    return isSubscription(params.query, params.operationName, o.maxTokens) ? { stream: true, raw } : { stream: false, raw };
  };
}
