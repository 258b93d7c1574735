/**
 * The ISP router's port-25 policy as an nftables ruleset (lab/templates/nftables/router.nft).
 * The forward chain sees every packet between customers, ISP services and the internet.
 */
import { ADDRESSES, ROUTER_INTERFACES } from './network.js';
import type { RouterPolicy } from './scenarios.js';
import { fillTemplate } from './templates.js';

const CUSTOMERS = `"${ROUTER_INTERFACES.customers}"`;
const INTERNET = `"${ROUTER_INTERFACES.internet}"`;

const BUSINESS_RELAY = ADDRESSES.customers.authorizedRelay;

function outboundRules(policy: RouterPolicy): string[] {
  const match = `iifname ${CUSTOMERS} oifname ${INTERNET} tcp dport 25`;
  // MAAWG practice 5 "except authorized relays": the business customer's server sends on 25.
  const exception = [`${match} ip saddr ${BUSINESS_RELAY} accept`];
  switch (policy.outbound25) {
    case 'open':
      return ['# MAAWG practice 5 not applied: customers reach any MX on 25'];
    case 'drop':
      return ['# MAAWG practice 5: customers send mail through the ISP (the relay on isp0), never straight to an MX', ...exception, `${match} drop`];
    case 'reject':
      return ['# MAAWG practice 5, rejecting: the customer sees ICMP administratively prohibited at once', ...exception, `${match} reject with icmpx type admin-prohibited`];
    case 'redirect':
      // IPv4 never reaches this rule: prerouting DNAT sends it to the relay on isp0.
      return ['# MAAWG practice 5 by interception: IPv4 is redirected to the relay (nat table), IPv6 dropped', ...exception, `${match} drop`];
  }
}

function inboundRules(policy: RouterPolicy): string[] {
  const match = `iifname ${INTERNET} oifname ${CUSTOMERS} tcp dport 25`;
  const exception = [`${match} ip daddr ${BUSINESS_RELAY} accept`];
  switch (policy.inbound25) {
    case 'open':
      return ['# MAAWG practice 6 not applied: the internet reaches customers on 25'];
    case 'drop':
      return ['# MAAWG practice 6: no inbound port 25 to the dynamic range, except the authorized business relay', ...exception, `${match} drop`];
    case 'reset':
      return ['# MAAWG practice 6, rejecting with a TCP reset', ...exception, `${match} reject with tcp reset`];
  }
}

function submissionRules(policy: RouterPolicy): string[] {
  if (policy.outbound587 === 'open') return [];
  return ['# Against MAAWG practice 3: customers cannot reach other providers\' submission service', `iifname ${CUSTOMERS} oifname ${INTERNET} tcp dport 587 drop`];
}

/** The DNAT of customers' outbound 25 to the ISP's relay (IPv4 only: the relay has no IPv6 address). */
function redirectTable(policy: RouterPolicy): string {
  if (policy.outbound25 !== 'redirect') return '';
  const relay = ADDRESSES.isp.relay;
  return [
    '',
    'table ip p25lab_redirect {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    `    iifname ${CUSTOMERS} ip saddr != ${BUSINESS_RELAY} tcp dport 25 ip daddr != ${relay} dnat to ${relay}`,
    '  }',
    '}',
  ].join('\n');
}

/**
 * The router's complete ruleset for a policy, for `nft -f` in the router
 * namespace (it starts with `flush ruleset`, so a scenario switch replaces the
 * previous one atomically).
 *
 * @example routerRuleset('compliant', scenarioNamed('compliant').policy)
 */
export function routerRuleset(scenario: string, policy: RouterPolicy): string {
  const rules = [...outboundRules(policy), ...inboundRules(policy), ...submissionRules(policy)];
  return fillTemplate('nftables/router.nft', {
    SCENARIO: scenario,
    // An `ip` table sees IPv4 only: the IPv6 leak scenario is a policy written for IPv4 alone.
    FAMILY: policy.families === 'both' ? 'inet' : 'ip',
    FORWARD_RULES: rules.map((rule) => `    ${rule}`).join('\n'),
    NAT_TABLE: redirectTable(policy),
  });
}
