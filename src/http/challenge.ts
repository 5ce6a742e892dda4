import { ServerResponse } from 'node:http';

/** Without Keystone a 401 is a token the facade or an upstream refused: the header it is sent in. */
export const TOKEN_CHALLENGE = 'X-Auth-Token realm="groupgraph"';

/**
 * A response class for what every answer's head must say, however it is written (the door's refusals, Apollo's
 * answers and SSE's alike; an implicit head goes through writeHead too): a 401 carries the challenge RFC 9110
 * requires (`WWW-Authenticate`), and once the server drains (`closing`) every answer closes its connection, those
 * of requests admitted before the drain included: kept open, a client's next request on it met a reset.
 */
export function facadeResponses(challenge: string, closing: () => boolean): typeof ServerResponse {
  class FacadeResponse extends ServerResponse {
    // Node's overloads of writeHead differ only in their trailing arguments, which are passed on untouched.
    override writeHead(statusCode: number, ...rest: any[]): this {
      if (statusCode === 401 && !this.hasHeader('www-authenticate')) this.setHeader('www-authenticate', challenge);
      if (closing()) this.setHeader('connection', 'close');
      return (super.writeHead as (code: number, ...more: unknown[]) => this)(statusCode, ...rest);
    }
  }
  // Node's option is typed generic over the request class; this one serves IncomingMessage, as the server does.
  return FacadeResponse as unknown as typeof ServerResponse;
}
