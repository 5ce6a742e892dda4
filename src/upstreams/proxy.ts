import { type Dispatcher, EnvHttpProxyAgent } from 'undici';

/** The standard proxy variables as the facade uses them for its upstream calls (Cinder, Manila, SDRS, Keystone). */
export interface ProxySettings {
  /** For http:// upstreams; '' for none. */
  httpProxy: string;
  /** For https:// upstreams; '' for none (then `httpProxy`, as undici does). */
  httpsProxy: string;
  /** NO_PROXY as given, loopback added: the embedded simulators and a cloud on this host are never proxied. */
  noProxy: string;
}

// Loopback is never proxied, as Go's clients do: the simulators listen there, and a proxy cannot reach them.
// undici compares host names with IPv6 brackets kept.
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

type Env = Record<string, string | undefined>;

/** The lower-case name first, as curl reads them; empty counts as unset. */
const read = (env: Env, name: string) => env[name.toLowerCase()] || env[name.toUpperCase()] || '';

/**
 * An http:// or https:// proxy URL ('host:port' alone is http://, as curl reads it), or '' for none; anything else
 * stops the start (a typo must not bypass the proxy).
 */
function proxyUrl(env: Env, name: string, fail: (message: string) => Error): string {
  const given = read(env, name);
  if (!given) return '';
  const raw = given.includes('://') ? given : `http://${given}`;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw fail(`${name} must be an http:// or https:// proxy URL (http://proxy.example.net:3128), got ${JSON.stringify(redacted(given))}`);
  }
  return raw;
}

/** HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either case), or null when no proxy is set. */
export function proxySettings(env: Env, fail: (message: string) => Error): ProxySettings | null {
  const httpProxy = proxyUrl(env, 'HTTP_PROXY', fail);
  const httpsProxy = proxyUrl(env, 'HTTPS_PROXY', fail);
  const given = read(env, 'NO_PROXY').trim();
  // NO_PROXY=* : nothing is proxied.
  if ((!httpProxy && !httpsProxy) || given === '*') return null;
  return { httpProxy, httpsProxy, noProxy: [given, ...LOOPBACK].filter(Boolean).join(',') };
}

/** A proxy URL for a log line: its password (and a user name alone) never written. */
export function redacted(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    else if (url.username) url.username = '***';
    return url.href;
  } catch {
    return raw.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** The agent's dispatcher through the proxies: NO_PROXY's hosts (and loopback) directly, with the same options. */
export function proxiedAgent(proxy: ProxySettings, agentOptions: Record<string, unknown>, connectTimeoutMs: number): Dispatcher {
  return new EnvHttpProxyAgent({
    ...agentOptions,
    httpProxy: proxy.httpProxy,
    httpsProxy: proxy.httpsProxy,
    noProxy: proxy.noProxy,
    // The tunnel's own connections: to the proxy, and TLS to the upstream through it.
    proxyTls: { timeout: connectTimeoutMs },
    requestTls: { timeout: connectTimeoutMs },
  } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]);
}
