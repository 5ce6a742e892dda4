import { Agent, type Dispatcher } from 'undici';
import { DEFAULT_MAX_CONNECTIONS } from './resilience.js';
import { MAX_RESPONSE_BYTES } from './transport.js';
import { type ProxySettings, proxiedAgent } from './proxy.js';

export interface HttpTimeouts {
  connectMs: number;
  headersMs: number;
  bodyMs: number;
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = { connectMs: 3_000, headersMs: 10_000, bodyMs: 10_000 };

/**
 * One keep-alive agent for the process; undici's own defaults (300 s) are far too patient for a facade. Through
 * HTTP_PROXY/HTTPS_PROXY when set (proxy.ts).
 */
export function createAgent(timeouts: HttpTimeouts = DEFAULT_TIMEOUTS, connections = DEFAULT_MAX_CONNECTIONS, proxy: ProxySettings | null = null): Dispatcher {
  const options = {
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    keepAliveTimeout: 10_000,
    connections,
    // A body larger than this is cut off by undici and becomes an UPSTREAM_ERROR (see networkError).
    maxResponseSize: MAX_RESPONSE_BYTES,
  };
  return proxy ? proxiedAgent(proxy, options, timeouts.connectMs) : new Agent(options);
}
