// Which clients a proxy accepts: `allowedClients` (CIDRs or single addresses) as a net.BlockList,
// checked once per accepted connection (TCP) or per new flow (UDP). No list: everyone.
import net from 'node:net';
import { ProxyError } from './errors.ts';

export type ClientFilter = (address: string | undefined) => boolean;

/** Parses `['172.18.0.0/16', '127.0.0.1']`; rejects anything else with InvalidOptions. */
export function parseAllowedClients(allowed: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  allowed.forEach((entry, i) => {
    const [address = '', prefix, extra] = typeof entry === 'string' ? entry.split('/') : [];
    const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
    const bits = prefix === undefined ? (family === 'ipv4' ? 32 : 128) : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!family || extra !== undefined || !(bits >= 0 && bits <= (family === 'ipv4' ? 32 : 128))) {
      throw new ProxyError('InvalidOptions', `allowedClients[${i}] must be an IP address or CIDR such as 172.18.0.0/16, got ${String(entry)}`);
    }
    list.addSubnet(address, bits, family);
  });
  return list;
}

/** A predicate for client addresses, or undefined when every client is allowed. */
export function clientFilter(allowed: readonly string[] | undefined): ClientFilter | undefined {
  if (allowed === undefined) return undefined;
  const list = parseAllowedClients(allowed);
  // An IPv6 check also matches IPv4-mapped addresses (::ffff:a.b.c.d) against IPv4 subnets.
  return (address) => address !== undefined && list.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}
