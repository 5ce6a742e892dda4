import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** Hops of X-Forwarded-For looked at, from the right: no chain of proxies is longer. */
const MAX_HOPS = 16;

/** TRUSTED_PROXIES: addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`), or why one is not one. */
export function parseTrustedProxies(raw: string | undefined): string[] | { error: string } {
  const entries = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra !== undefined) return { error: `not an IP address or CIDR range: ${JSON.stringify(entry)}` };
  }
  return entries;
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
    for (const entry of proxies) {
      const [address = '', prefix] = entry.split('/');
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) list.addAddress(address, type);
      else list.addSubnet(address, Number(prefix), type);
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

  private isTrusted(address: string): boolean {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return this.trusted!.check(mapped[1]!, 'ipv4');
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
