import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** Hops of X-Forwarded-For looked at, from the right: no chain of proxies is longer. */
const MAX_HOPS = 16;

interface ProxyEntry {
  address: string;
  prefix: number | undefined;
  type: 'ipv4' | 'ipv6';
}

/** One TRUSTED_PROXIES entry (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`), or null when it is neither. */
function proxyEntry(entry: string): ProxyEntry | null {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  const bits = family === 6 ? 128 : 32;
  if (family === 0 || extra !== undefined) return null;
  if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits)) return null;
  return { address, prefix: prefix === undefined ? undefined : Number(prefix), type: family === 6 ? 'ipv6' : 'ipv4' };
}

/** TRUSTED_PROXIES: addresses and CIDR ranges, or why one is not one. */
export function parseTrustedProxies(raw: string | undefined): string[] | { error: string } {
  const entries = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = entries.find((e) => proxyEntry(e) === null);
  return bad === undefined ? entries : { error: `not an IP address or CIDR range: ${JSON.stringify(bad)}` };
}

/**
 * The address a request's client has, for per-client rules (MAX_IN_FLIGHT_PER_CALLER for tokens not known yet,
 * MAX_REFUSED_TOKENS_PER_CLIENT): the connection's peer, or, when the peer is a trusted proxy (TRUSTED_PROXIES),
 * the address that proxy reports in X-Forwarded-For. Hops are read from the right and trusted proxies skipped, as
 * Express's `trust proxy` does: a client can put anything at the left of the header, only what a trusted proxy
 * appended counts. Behind a balancer without it every client is the balancer.
 */
export class ClientAddresses {
  private readonly trusted: BlockList | null;

  constructor(proxies: readonly string[]) {
    if (proxies.length === 0) {
      this.trusted = null;
      return;
    }
    const list = new BlockList();
    // Entries were checked at start-up (config.ts): none is null here.
    for (const { address, prefix, type } of proxies.map((p) => proxyEntry(p)!)) {
      if (prefix === undefined) list.addAddress(address, type);
      else list.addSubnet(address, prefix, type);
    }
    this.trusted = list;
  }

  of(req: IncomingMessage): string | undefined {
    const peer = req.socket.remoteAddress;
    if (!this.trusted || !peer || !this.isTrusted(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    if (!header) return peer;
    const hops = (Array.isArray(header) ? header.join(',') : header).split(',');
    let client = peer;
    for (let i = hops.length - 1; i >= Math.max(0, hops.length - MAX_HOPS); i--) {
      const hop = addressOf(hops[i]!);
      // A hop that is not an address: the proxy that wrote it is as far as anything can be told.
      if (hop === null) return client;
      client = hop;
      if (!this.isTrusted(hop)) return hop;
    }
    return client;
  }

  /** BlockList matches an IPv4-mapped IPv6 peer (`::ffff:10.0.0.2`) against IPv4 entries itself. */
  private isTrusted(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.trusted!.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** One X-Forwarded-For entry as an address: brackets and a port (which some proxies add) taken off; null if none. */
function addressOf(entry: string): string | null {
  let s = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  return isIP(s) === 0 ? null : s;
}
