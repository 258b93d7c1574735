/**
 * The lab's scenarios: each sets the router's port-25 policy and the MSA's
 * configuration, and says what an audit from both vantages must find for each
 * practice. The expected statuses follow DESIGN.md's check catalogue and
 * precise rules; `notes` say why, and flag where the rules leave room.
 */
import type { PracticeId, Status } from '@port25-audit/core';

export const PRACTICE_IDS: readonly PracticeId[] = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'];

/** What the router does with a connection. */
export interface RouterPolicy {
  /** Customers to the internet on 25 (MAAWG practice 5): DROP, nothing, ICMP admin-prohibited, or DNAT to the ISP's relay (IPv4; IPv6 dropped). */
  outbound25: 'drop' | 'open' | 'reject' | 'redirect';
  /** The internet to the customers on 25 (practice 6): DROP, nothing, or TCP reset. */
  inbound25: 'drop' | 'open' | 'reset';
  /** Customers to the internet on 587 (practice 3). */
  outbound587: 'open' | 'drop';
  /** `ipv4-only`: the rules are written for IPv4 alone (an `ip` table), so IPv6 passes untouched. */
  families: 'both' | 'ipv4-only';
}

/** How the ISP's Postfix MSA is configured. */
export type MsaProfile = 'compliant' | 'open-relay' | 'auth-before-tls' | 'no-starttls';

export interface Scenario {
  name: string;
  title: string;
  /** What is wrong (or right) with the ISP in this scenario, for people. */
  description: string;
  policy: RouterPolicy;
  msa: MsaProfile;
  /** The status each practice must have in the merged report of both vantages. */
  expected: Record<PracticeId, Status>;
  /** Why, per practice where it is not obvious; `uncertain` marks a status the rules leave room for. */
  notes: Partial<Record<PracticeId, { why: string; uncertain?: boolean }>>;
}

const COMPLIANT_POLICY: RouterPolicy = { outbound25: 'drop', inbound25: 'drop', outbound587: 'open', families: 'both' };
const ALL_PASS: Record<PracticeId, Status> = { P1: 'pass', P2: 'pass', P3: 'pass', P4: 'pass', P5: 'pass', P6: 'pass' };

/** Every scenario, in the order the lab runs them (MSA profile changes grouped, so Postfix reloads seldom). */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'compliant',
    title: 'Compliant ISP',
    description: 'Outbound and inbound 25 dropped for the dynamic range (IPv4 and IPv6), 587 open, MSA with STARTTLS, AUTH only over TLS, no relaying without AUTH, SRV records and autoconfig published.',
    policy: COMPLIANT_POLICY,
    msa: 'compliant',
    expected: ALL_PASS,
    notes: {},
  },
  {
    name: 'outbound-25-open',
    title: 'Outbound port 25 open',
    description: 'The router does not filter customers\' outbound port 25: the external MX canary answers from inside.',
    policy: { ...COMPLIANT_POLICY, outbound25: 'open' },
    msa: 'compliant',
    expected: { ...ALL_PASS, P5: 'fail' },
    notes: { P5: { why: 'P5.outbound-25-blocked: the port opens and greets as the canary, over IPv4 and IPv6' } },
  },
  {
    name: 'inbound-25-open',
    title: 'Inbound port 25 open',
    description: 'The router does not filter port 25 towards the customers: the hosts with a listener on 25 are reachable from the internet.',
    policy: { ...COMPLIANT_POLICY, inbound25: 'open' },
    msa: 'compliant',
    expected: { ...ALL_PASS, P6: 'fail' },
    notes: { P6: { why: 'P6.inbound-25-blocked: the census of the dynamic ranges finds the four listening customer hosts open' } },
  },
  {
    name: 'outbound-587-blocked',
    title: 'Outbound port 587 blocked',
    description: 'The router blocks customers\' outbound 587 as well: they cannot reach any other provider\'s submission service.',
    policy: { ...COMPLIANT_POLICY, outbound587: 'drop' },
    msa: 'compliant',
    expected: { ...ALL_PASS, P3: 'fail' },
    notes: {
      P3: { why: 'P3.outbound-587: the external submission canary times out from inside' },
      P1: { why: 'the ISP\'s own MSA stays reachable from inside: only 587 towards the internet is blocked' },
    },
  },
  {
    name: 'redirect-25',
    title: 'Outbound 25 transparently redirected',
    description: 'Customers\' outbound port 25 (IPv4) is DNAT-ed to the ISP\'s relay instead of blocked; IPv6 port 25 is dropped.',
    policy: { ...COMPLIANT_POLICY, outbound25: 'redirect' },
    msa: 'compliant',
    expected: { ...ALL_PASS, P5: 'warn' },
    notes: {
      P5: {
        why: 'P5.outbound-25-blocked: over IPv4 the connection opens but the greeting is the relay\'s, not the canary\'s (warn, transparent redirection); over IPv6 it is filtered (pass)',
      },
    },
  },
  {
    name: 'rejects',
    title: 'Rejects instead of drops',
    description: 'Outbound 25 is rejected with ICMP administratively prohibited, inbound 25 with a TCP reset: blocked all the same, only faster to see.',
    policy: { ...COMPLIANT_POLICY, outbound25: 'reject', inbound25: 'reset' },
    msa: 'compliant',
    expected: ALL_PASS,
    notes: {
      P5: { why: 'an ICMP admin-prohibited reject is "unreachable", which counts as blocked' },
      P6: { why: 'a TCP reset is "closed", which counts as blocked' },
    },
  },
  {
    name: 'ipv6-leak',
    title: 'IPv6 leak',
    description: 'The port-25 rules are written for IPv4 only: over IPv6, customers reach the canary on 25 and the internet reaches the customers\' listeners.',
    policy: { ...COMPLIANT_POLICY, families: 'ipv4-only' },
    msa: 'compliant',
    expected: { ...ALL_PASS, P5: 'fail', P6: 'fail' },
    notes: {
      P5: { why: 'P5.outbound-25-blocked: IPv4 passes, the IPv6 result fails on its own (DESIGN: an IPv6 leak is a fail of its own result)' },
      P6: { why: 'P6.inbound-25-blocked: the IPv6 listener 2001:db8:113::7 is open in the census' },
    },
  },
  {
    name: 'open-relay',
    title: 'Open relay',
    description: 'The MSA trusts every network (mynetworks = 0.0.0.0/0): it accepts mail for any external recipient without AUTH.',
    policy: COMPLIANT_POLICY,
    msa: 'open-relay',
    expected: { ...ALL_PASS, P2: 'fail' },
    notes: { P2: { why: 'P2.relay-refused: RCPT TO an external address is accepted without AUTH, in clear and over TLS' } },
  },
  {
    name: 'auth-before-tls',
    title: 'AUTH offered before TLS',
    description: 'The MSA offers AUTH PLAIN and LOGIN before STARTTLS (smtpd_tls_auth_only = no): passwords may cross the network in clear.',
    policy: COMPLIANT_POLICY,
    msa: 'auth-before-tls',
    expected: { ...ALL_PASS, P2: 'fail' },
    notes: { P2: { why: 'P2.no-cleartext-auth: AUTH PLAIN/LOGIN among the capabilities before STARTTLS (RFC 4954 §4)' } },
  },
  {
    name: 'no-starttls',
    title: 'No STARTTLS',
    description: 'The MSA has TLS switched off (no STARTTLS on 587, nothing on 465); as AUTH is only offered over TLS, it offers no AUTH at all.',
    policy: COMPLIANT_POLICY,
    msa: 'no-starttls',
    expected: { ...ALL_PASS, P1: 'fail' },
    notes: {
      P1: { why: 'P1.starttls-offered fails; P1.tls-handshake and P1.certificate are skipped as not reached; 465 closed: P1.implicit-tls skip' },
      P2: {
        why: 'DESIGN\'s precise rules: P2.auth-advertised skip (not reached: STARTTLS), no AUTH in clear (pass), relaying refused in clear (pass, the TLS attempt not made), P2.auth-works skip: the worst of pass and skip is pass. One could argue for warn, since no working authentication was ever seen',
        uncertain: true,
      },
    },
  },
];

/** The scenario of that name; throws a user-facing error listing the names. */
export function scenarioNamed(name: string): Scenario {
  const scenario = SCENARIOS.find((candidate) => candidate.name === name);
  if (scenario === undefined) throw new Error(`unknown scenario "${name}"; the scenarios are: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return scenario;
}
