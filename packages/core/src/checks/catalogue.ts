/**
 * The check catalogue of DESIGN.md: the six MAAWG practices, their references
 * and every check id. Ids are stable: reports, JUnit test names and CI gates use them.
 */
import type { PracticeId, ProbeId } from '../model.js';

/** A document a practice rests on; `id` is what the report's `references` list carries. */
export interface Reference {
  id: string;
  title: string;
  url: string;
  /** Why this document and not the one the MAAWG paper names, when they differ. */
  note?: string;
}

/** Every reference a practice cites, by id. */
export const REFERENCES = {
  'RFC 6409': {
    id: 'RFC 6409',
    title: 'Message Submission for Mail',
    url: 'https://www.rfc-editor.org/rfc/rfc6409',
    note: 'obsoletes RFC 4409, which obsoleted RFC 2476, the document the MAAWG paper cites',
  },
  'RFC 3207': {
    id: 'RFC 3207',
    title: 'SMTP Service Extension for Secure SMTP over Transport Layer Security',
    url: 'https://www.rfc-editor.org/rfc/rfc3207',
  },
  'RFC 8314': {
    id: 'RFC 8314',
    title: 'Cleartext Considered Obsolete: Use of TLS for Email Submission and Access',
    url: 'https://www.rfc-editor.org/rfc/rfc8314',
  },
  'RFC 4954': {
    id: 'RFC 4954',
    title: 'SMTP Service Extension for Authentication',
    url: 'https://www.rfc-editor.org/rfc/rfc4954',
    note: 'obsoletes RFC 2554, the document the MAAWG paper cites',
  },
  'RFC 6186': {
    id: 'RFC 6186',
    title: 'Use of SRV Records for Locating Email Submission/Access Services',
    url: 'https://www.rfc-editor.org/rfc/rfc6186',
  },
  'Mozilla autoconfig': {
    id: 'Mozilla autoconfig',
    title: 'Thunderbird autoconfiguration (config-v1.1.xml)',
    url: 'https://wiki.mozilla.org/Thunderbird:Autoconfiguration',
  },
  MAAWG: {
    id: 'MAAWG',
    title: 'MAAWG, Managing Port 25 for Residential or Dynamic IP Space: Benefits of Adoption and Risks of Inaction (2005)',
    url: 'https://www.m3aawg.org/sites/default/files/document/MAAWG_Port25rec0511.pdf',
  },
} as const satisfies Record<string, Reference>;

export type ReferenceId = keyof typeof REFERENCES;

/** A MAAWG practice: English title in the paper's wording, references in citation order. */
export interface Practice {
  id: PracticeId;
  title: string;
  references: readonly ReferenceId[];
}

/** The six practices in report order (the MAAWG paper, section "Best Practices", items 1-6). */
export const PRACTICES: readonly Practice[] = [
  {
    id: 'P1',
    title: 'Provide email submission services on port 587, as described by RFC 2476',
    references: ['RFC 6409', 'RFC 3207', 'RFC 8314'],
  },
  {
    id: 'P2',
    title: 'Require authentication on email submission, as described by RFC 2554',
    references: ['RFC 4954', 'RFC 6409'],
  },
  { id: 'P3', title: 'Ensure outbound connectivity on port 587', references: ['RFC 6409'] },
  {
    id: 'P4',
    title: 'Configure email client software to use port 587 and authentication for email submission',
    references: ['RFC 6186', 'RFC 8314', 'Mozilla autoconfig'],
  },
  {
    id: 'P5',
    title:
      'Block port 25 from all hosts on your network other than those you explicitly authorize to perform SMTP relay functions',
    references: ['MAAWG'],
  },
  { id: 'P6', title: 'Block incoming port 25 traffic to your network', references: ['MAAWG'] },
];

/** Where a check looks from: a vantage kind, or `any` for checks of DNS, HTTP or the plan itself. */
export type CheckVantage = 'inside' | 'outside' | 'any';

export interface CheckDefinition {
  id: string;
  practice: PracticeId;
  title: string;
  vantage: CheckVantage;
  /** The probe whose observations the check judges, or null when it judges the plan alone. */
  probe: ProbeId | null;
}

/** Every check of DESIGN.md, in report order. */
export const CHECKS = [
  { id: 'P1.port-open', practice: 'P1', title: 'Submission port accepts TCP connections', vantage: 'any', probe: 'submission' },
  { id: 'P1.greeting', practice: 'P1', title: 'Server greets with 220 and answers EHLO', vantage: 'any', probe: 'submission' },
  { id: 'P1.starttls-offered', practice: 'P1', title: 'STARTTLS is offered', vantage: 'any', probe: 'submission' },
  { id: 'P1.tls-handshake', practice: 'P1', title: 'STARTTLS handshake succeeds with TLS 1.2 or later', vantage: 'any', probe: 'submission' },
  { id: 'P1.certificate', practice: 'P1', title: 'Certificate is trusted, matches the name and is current', vantage: 'any', probe: 'submission' },
  { id: 'P1.implicit-tls', practice: 'P1', title: 'Implicit TLS submission (port 465) works', vantage: 'any', probe: 'implicit-tls' },
  { id: 'P2.auth-advertised', practice: 'P2', title: 'AUTH is advertised after STARTTLS', vantage: 'any', probe: 'submission' },
  { id: 'P2.no-cleartext-auth', practice: 'P2', title: 'No AUTH PLAIN or LOGIN before STARTTLS', vantage: 'any', probe: 'submission' },
  { id: 'P2.relay-refused', practice: 'P2', title: 'Unauthenticated relaying is refused', vantage: 'any', probe: 'submission' },
  { id: 'P2.auth-works', practice: 'P2', title: 'Authentication with the plan credentials succeeds', vantage: 'any', probe: 'submission' },
  { id: 'P3.outbound-587', practice: 'P3', title: 'Outbound submission on port 587 reaches the canary', vantage: 'inside', probe: 'outbound-submission' },
  { id: 'P4.srv-records', practice: 'P4', title: 'SRV records point clients to submission', vantage: 'any', probe: 'srv-records' },
  { id: 'P4.autoconfig', practice: 'P4', title: 'Autoconfig offers submission with authentication', vantage: 'any', probe: 'autoconfig' },
  { id: 'P4.attested', practice: 'P4', title: "Auditor's attestation of client configuration", vantage: 'any', probe: null },
  { id: 'P5.outbound-25-blocked', practice: 'P5', title: 'Outbound port 25 to an external MX is blocked', vantage: 'inside', probe: 'outbound-smtp' },
  { id: 'P5.relay-reachable', practice: 'P5', title: 'Authorized relays answer on port 25 from inside', vantage: 'inside', probe: 'relay-smtp' },
  { id: 'P6.inbound-25-blocked', practice: 'P6', title: 'Inbound port 25 to dynamic hosts is blocked', vantage: 'outside', probe: 'inbound-smtp' },
  { id: 'P6.authorized-exceptions', practice: 'P6', title: 'Authorized relays inside the dynamic ranges are reachable', vantage: 'outside', probe: 'relay-smtp' },
] as const satisfies readonly CheckDefinition[];

export type CheckId = (typeof CHECKS)[number]['id'];

/** Every check id, in report order. */
export const CHECK_IDS: readonly CheckId[] = CHECKS.map((check) => check.id);

/** Every practice id, in report order. */
export const PRACTICE_IDS: readonly PracticeId[] = PRACTICES.map((practice) => practice.id);

/**
 * The catalogue entry of a check id.
 *
 * @example
 * checkDefinition('P3.outbound-587').practice // 'P3'
 */
export function checkDefinition(id: CheckId): CheckDefinition {
  const found = CHECKS.find((check) => check.id === id);
  if (found === undefined) throw new RangeError(`unknown check id ${id}`);
  return found;
}

/**
 * The catalogue entry of a practice id.
 *
 * @example
 * practiceDefinition('P6').references // ['MAAWG']
 */
export function practiceDefinition(id: PracticeId): Practice {
  const found = PRACTICES.find((practice) => practice.id === id);
  if (found === undefined) throw new RangeError(`unknown practice id ${id}`);
  return found;
}
