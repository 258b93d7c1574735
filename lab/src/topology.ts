/**
 * Builds the lab's four namespaces and the three veth pairs between them.
 * Every veth pair is created inside the router namespace with its peer moved
 * straight into a leaf namespace: no interface of the lab ever exists in the
 * host's namespace, and nothing links the lab to the host.
 */
import { ADDRESSES, LAB_ROLES, ROUTER_INTERFACES, UPLINK, type LabInstance } from './network.js';
import { ipIn, run, runIn } from './namespaces.js';

/** Namespaces without duplicate address detection delays, and with an ICMP error for every probe (no rate limit). */
function prepare(namespace: string): void {
  ipIn(namespace, ['link', 'set', 'lo', 'up']);
  runIn(namespace, 'sysctl', ['-q', '-w', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']);
}

/** An address that never becomes a default source (RFC 4862 §5.5.4: preferred lifetime 0 = deprecated). */
const NOT_SOURCE = ['preferred_lft', '0'];

/**
 * Creates the namespaces, links, addresses and routes of a lab instance:
 *
 * - internet: 198.51.100.2 (outside vantage), .25 (MX canary), .87 (submission canary), and their 2001:db8:5100::/64 twins;
 * - ISP services: 192.0.2.10 (MSA), .25 (relay), .53 (DNS), .80 (autoconfig);
 * - customers: the whole dynamic range 203.0.113.0/25 and 2001:db8:113::/121 is
 *   local to the namespace (every address is a customer host that answers),
 *   203.0.113.2 / 2001:db8:113::2 is the inside vantage; the listeners' and the business relay's addresses are on the uplink;
 * - router: forwards between the three, gateway of each.
 *
 * @throws when any `ip` command fails (the caller tears down what exists).
 */
export function buildTopology(instance: LabInstance): void {
  const ns = instance.namespaces;
  for (const role of LAB_ROLES) run('ip', ['netns', 'add', ns[role]]);
  for (const role of LAB_ROLES) prepare(ns[role]);

  // Each pair is born in the router and its peer is moved at once into the leaf namespace.
  for (const [role, name] of [
    ['internet', ROUTER_INTERFACES.internet],
    ['isp', ROUTER_INTERFACES.isp],
    ['customers', ROUTER_INTERFACES.customers],
  ] as const) {
    ipIn(ns.router, ['link', 'add', name, 'type', 'veth', 'peer', 'name', UPLINK, 'netns', ns[role]]);
  }
  runIn(ns.router, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);

  const { internet, isp, customers } = ADDRESSES;
  const add = (namespace: string, device: string, address: string, extra: string[] = []): void =>
    ipIn(namespace, ['addr', 'add', address, 'dev', device, ...(address.includes(':') ? ['nodad'] : []), ...extra]);

  // Router.
  add(ns.router, ROUTER_INTERFACES.internet, `${internet.router.ipv4}/${internet.prefix4}`);
  add(ns.router, ROUTER_INTERFACES.internet, `${internet.router.ipv6}/${internet.prefix6}`);
  add(ns.router, ROUTER_INTERFACES.isp, `${isp.router}/${isp.prefix4}`);
  add(ns.router, ROUTER_INTERFACES.customers, `${customers.router.ipv4}/32`);
  add(ns.router, ROUTER_INTERFACES.customers, `${customers.router.linkLocal}/64`);
  for (const device of Object.values(ROUTER_INTERFACES)) ipIn(ns.router, ['link', 'set', device, 'up']);
  // The dynamic ranges are routed to the customers' side as one block each (no neighbour lookup per address).
  ipIn(ns.router, ['route', 'add', customers.dynamic4, 'via', customers.vantage.ipv4, 'dev', ROUTER_INTERFACES.customers, 'onlink']);
  ipIn(ns.router, ['-6', 'route', 'add', customers.dynamic6, 'via', customers.vantage.linkLocal, 'dev', ROUTER_INTERFACES.customers]);

  // Internet: the vantage's addresses first and as the routes' source; canaries deprecated as sources.
  add(ns.internet, UPLINK, `${internet.vantage.ipv4}/${internet.prefix4}`);
  add(ns.internet, UPLINK, `${internet.vantage.ipv6}/${internet.prefix6}`);
  for (const canary of [internet.mxCanary, internet.submissionCanary]) {
    add(ns.internet, UPLINK, `${canary.ipv4}/${internet.prefix4}`);
    add(ns.internet, UPLINK, `${canary.ipv6}/${internet.prefix6}`, NOT_SOURCE);
  }
  ipIn(ns.internet, ['link', 'set', UPLINK, 'up']);
  ipIn(ns.internet, ['route', 'add', 'default', 'via', internet.router.ipv4, 'src', internet.vantage.ipv4]);
  ipIn(ns.internet, ['-6', 'route', 'add', 'default', 'via', internet.router.ipv6, 'src', internet.vantage.ipv6]);

  // ISP services (IPv4 only).
  for (const address of [isp.msa, isp.relay, isp.dns, isp.autoconfig]) add(ns.isp, UPLINK, `${address}/${isp.prefix4}`);
  ipIn(ns.isp, ['link', 'set', UPLINK, 'up']);
  ipIn(ns.isp, ['route', 'add', 'default', 'via', isp.router, 'src', isp.msa]);

  // Customers.
  add(ns.customers, UPLINK, `${customers.vantage.ipv4}/32`);
  add(ns.customers, UPLINK, `${customers.vantage.ipv6}/128`);
  add(ns.customers, UPLINK, `${customers.vantage.linkLocal}/64`);
  add(ns.customers, UPLINK, `${customers.authorizedRelay}/32`);
  for (const listener of customers.listeners) {
    add(ns.customers, UPLINK, listener.includes(':') ? `${listener}/128` : `${listener}/32`, listener.includes(':') ? NOT_SOURCE : []);
  }
  ipIn(ns.customers, ['link', 'set', UPLINK, 'up']);
  ipIn(ns.customers, ['route', 'add', `${customers.router.ipv4}/32`, 'dev', UPLINK, 'scope', 'link']);
  ipIn(ns.customers, ['route', 'add', 'default', 'via', customers.router.ipv4, 'dev', UPLINK, 'src', customers.vantage.ipv4]);
  ipIn(ns.customers, ['-6', 'route', 'add', 'default', 'via', customers.router.linkLocal, 'dev', UPLINK, 'src', customers.vantage.ipv6]);
  // Every address of the dynamic ranges is local here: a customer host without a server resets, as a real one would.
  ipIn(ns.customers, ['route', 'add', 'local', customers.dynamic4, 'dev', 'lo']);
  ipIn(ns.customers, ['-6', 'route', 'add', 'local', customers.dynamic6, 'dev', 'lo']);
}
