import { isIP } from 'node:net';
import { type Dispatcher, EnvHttpProxyAgent, Pool } from 'undici';

/** The standard proxy variables as the facade uses them for its upstream calls (Cinder, Manila, SDRS, Keystone). */
export interface ProxySettings {
  /** For http:// upstreams; '' for none. */
  httpProxy: string;
  /** For https:// upstreams; '' for none (then `httpProxy`, as undici does). */
  httpsProxy: string;
  /** NO_PROXY as given, loopback added: the embedded simulators and a cloud on this host are never proxied. */
  noProxy: string;
}

// Never proxied, as Go's clients do: the simulators listen there, and a proxy cannot reach them. (127.0.0.2 and
// the like are, unless NO_PROXY names them.) undici compares host names with IPv6 brackets kept.
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
  // undici sends credentials only with both: a user alone would reach the proxy without any, silently.
  if (url.username && !url.password) throw fail(`${name} names a proxy user without a password (http://user:password@host:port)`);
  return raw;
}

// An IPv6 address as undici compares it, in brackets: bare, `fd00::5` would read as host `fd00:` and port 5.
const bracketed = (entry: string) => (isIP(entry) === 6 ? `[${entry}]` : entry);

/** HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either case), or null when no proxy is set. */
export function proxySettings(env: Env, fail: (message: string) => Error): ProxySettings | null {
  const httpProxy = proxyUrl(env, 'HTTP_PROXY', fail);
  const httpsProxy = proxyUrl(env, 'HTTPS_PROXY', fail);
  const given = read(env, 'NO_PROXY').trim();
  // NO_PROXY=* : nothing is proxied.
  if ((!httpProxy && !httpsProxy) || given === '*') return null;
  const entries = given.split(/[,\s]+/).filter(Boolean).map(bracketed);
  return { httpProxy, httpsProxy, noProxy: [...entries, ...LOOPBACK].join(',') };
}

/** A proxy URL for a log line or an error: its password (and a user name alone) never written. */
export function redacted(raw: string): string {
  try {
    const url = new URL(raw.includes('://') ? raw : `http://${raw}`);
    if (url.password) url.password = '***';
    else if (url.username) url.username = '***';
    return url.href;
  } catch {
    // Unparsable: everything before the authority's last '@' may be a secret.
    return raw.replace(/^([a-z][\w+.-]*:\/\/)?[^@]*@/i, '$1***@');
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
    // The proxy's answer to CONNECT, within the connect timeout too (undici's default waits 300 s for it).
    clientFactory: (origin: URL, options: Pool.Options) => new Pool(origin, { ...options, headersTimeout: connectTimeoutMs }),
  } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]);
}
