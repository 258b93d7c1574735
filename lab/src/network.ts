/**
 * The lab's small ISP: names, addresses and links. Documentation ranges only
 * (RFC 5737 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; RFC 3849
 * 2001:db8::/32) and reserved names (RFC 2606 `.example`), so nothing in the
 * lab can be mistaken for, or reach, a real network.
 *
 * ```
 *   internet (198.51.100.0/24, 2001:db8:5100::/64)
 *        │ inet0
 *     router ── isp0 ── ISP services (192.0.2.0/24)
 *        │ cust0
 *   customers (203.0.113.0/25, 2001:db8:113::/121)
 * ```
 */

/** The four namespaces of a lab, by role. */
export type LabRole = 'internet' | 'router' | 'isp' | 'customers';
export const LAB_ROLES: readonly LabRole[] = ['internet', 'router', 'isp', 'customers'];

/** Short name of each role inside a namespace name: `p25lab-inet`, `p25lab-e2e-cust`. */
const ROLE_SUFFIX: Record<LabRole, string> = { internet: 'inet', router: 'router', isp: 'isp', customers: 'cust' };

/** Every lab namespace name starts with this (the lab's own namespace prefix). */
export const NAMESPACE_PREFIX = 'p25lab-';

/** The interface of a leaf namespace (internet, ISP, customers) towards the router. */
export const UPLINK = 'uplink';

/** The router's interfaces, one per leaf namespace. */
export const ROUTER_INTERFACES = { internet: 'inet0', isp: 'isp0', customers: 'cust0' } as const;

/** The ISP's mail domain and the names the lab's DNS serves. */
export const NAMES = {
  domain: 'isp.example',
  /** The ISP's MSA (RFC 6409): Postfix on 587 (STARTTLS) and 465 (implicit TLS, RFC 8314). */
  msa: 'smtp.isp.example',
  /** The ISP's relay on 25: authorized to send and receive on port 25. */
  relay: 'relay.isp.example',
  /** The business customer's mail server inside the dynamic range, also authorized. */
  businessRelay: 'mail.business.example',
  /** Mozilla autoconfig host of the domain. */
  autoconfig: 'autoconfig.isp.example',
  /** External MX canary: must be unreachable on 25 from the customers (P5). */
  mxCanary: 'mx.canary.example',
  /** External submission canary: must be reachable on 587 from the customers (P3). */
  submissionCanary: 'smtp.canary.example',
  /** The EHLO name the audit uses. */
  auditor: 'audit.isp.example',
} as const;

/** Every address of the lab. */
export const ADDRESSES = {
  internet: {
    prefix4: 24,
    prefix6: 64,
    router: { ipv4: '198.51.100.1', ipv6: '2001:db8:5100::1' },
    /** The outside vantage. */
    vantage: { ipv4: '198.51.100.2', ipv6: '2001:db8:5100::2' },
    mxCanary: { ipv4: '198.51.100.25', ipv6: '2001:db8:5100::25' },
    submissionCanary: { ipv4: '198.51.100.87', ipv6: '2001:db8:5100::87' },
  },
  isp: {
    network: '192.0.2.0/24',
    prefix4: 24,
    router: '192.0.2.1',
    msa: '192.0.2.10',
    relay: '192.0.2.25',
    dns: '192.0.2.53',
    autoconfig: '192.0.2.80',
  },
  customers: {
    /** The dynamic range: every address in it is a customer host (the namespace answers for all of them). */
    dynamic4: '203.0.113.0/25',
    dynamic6: '2001:db8:113::/121',
    /** The router's customer-facing gateway, outside the dynamic range (as on a BNG). */
    router: { ipv4: '203.0.113.254', linkLocal: 'fe80::1' },
    /** The inside vantage: one customer host. */
    vantage: { ipv4: '203.0.113.2', ipv6: '2001:db8:113::2', linkLocal: 'fe80::2' },
    /** Customer hosts that run an SMTP server on 25 (a bot, a forgotten NAS): what P6 must not let in. */
    listeners: ['203.0.113.7', '203.0.113.23', '203.0.113.42', '2001:db8:113::7'],
    /** A business customer's mail server with a fixed address in the range, authorized to send and receive on 25. */
    authorizedRelay: '203.0.113.100',
  },
} as const;

/** A lab's identity: the namespace names and the folder it keeps its state in. */
export interface LabInstance {
  /** `default` for the people's lab (`npm run lab`), another word for a parallel lab (the end-to-end tests use `e2e`). */
  id: string;
  namespaces: Record<LabRole, string>;
}

/**
 * The namespaces of a lab instance: `p25lab-inet` … for `default`,
 * `p25lab-<id>-inet` … otherwise. Exact names, never a prefix match, so that
 * two instances never touch each other's namespaces.
 *
 * @example labInstance('e2e').namespaces.customers // 'p25lab-e2e-cust'
 */
export function labInstance(id = 'default'): LabInstance {
  if (!/^[a-z][a-z0-9]{0,11}$/.test(id)) throw new Error(`lab instance "${id}" must be 1-12 lowercase letters and digits, starting with a letter`);
  const stem = id === 'default' ? NAMESPACE_PREFIX : `${NAMESPACE_PREFIX}${id}-`;
  const namespaces = Object.fromEntries(LAB_ROLES.map((role) => [role, `${stem}${ROLE_SUFFIX[role]}`])) as Record<LabRole, string>;
  return { id, namespaces };
}

/** The interfaces a process may see in a namespace of the lab (anything else means it is not where it thinks). */
export function interfacesOf(role: LabRole): string[] {
  return role === 'router' ? ['lo', ...Object.values(ROUTER_INTERFACES)] : ['lo', UPLINK];
}
