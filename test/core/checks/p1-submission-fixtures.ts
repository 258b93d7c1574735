/**
 * Hand-built submission and implicit-TLS observations for the pure P1/P2
 * tests: a compliant dialog, and small edits of it for every other case.
 */
import {
  parseEhloCapabilities,
  parseReply,
  type CertificateChainEvidence,
  type CertificateEvidence,
  type HelloEvidence,
  type ImplicitTlsObservation,
  type ReplyEvidence,
  type SmtpReply,
  type SubmissionObservation,
  type VantageKind,
} from '@port25-audit/core';
import { familyOf, STARTED } from './fixtures.js';

export const SERVER = 'smtp.example.net';
export const ADDRESS = '192.0.2.25';

/** A reply from its raw lines, as the session parses it. */
export function reply(...lines: string[]): ReplyEvidence {
  const parsed = parseReply(lines);
  if (typeof parsed === 'string') throw new Error(parsed);
  return { ...parsed, ms: 1 };
}

/** EHLO answered 250 with these extension lines. */
export function ehlo(...extensions: string[]): HelloEvidence {
  const lines = [SERVER, ...extensions];
  const answer = reply(...lines.map((line, index) => `250${index === lines.length - 1 ? ' ' : '-'}${line}`));
  return { verb: 'EHLO', ehlo: answer, helo: null, capabilities: parseEhloCapabilities(answer as SmtpReply) };
}

const DAY = 86_400_000;
const NOW = Date.parse(STARTED);

/** One certificate; by default a current RSA 2048 leaf for SERVER signed with SHA-256. */
export function certificate(overrides: Partial<CertificateEvidence> & { daysLeft?: number } = {}): CertificateEvidence {
  const daysLeft = overrides.daysLeft ?? 80;
  return {
    subject: `CN=${SERVER}`,
    subjectAltNames: [`DNS:${SERVER}`],
    issuer: 'CN=Example CA',
    serialNumber: '01',
    notBefore: new Date(NOW - 10 * DAY).toISOString(),
    notAfter: new Date(NOW + daysLeft * DAY + 3_600_000).toISOString(),
    daysLeft,
    expired: daysLeft < 0,
    notYetValid: false,
    key: { type: 'rsa', bits: 2048, curve: null },
    signatureAlgorithm: { oid: '1.2.840.113549.1.1.11', name: 'sha256WithRSAEncryption', hash: 'sha256' },
    selfSigned: false,
    ca: false,
    fingerprintSha256: 'AA:BB',
    ...overrides,
  };
}

/** A self-signed CA root, as OpenSSL completes the chain with it. */
export function root(overrides: Partial<CertificateEvidence> = {}): CertificateEvidence {
  return certificate({ subject: 'CN=Example CA', subjectAltNames: [], selfSigned: true, ca: true, daysLeft: 3000, fingerprintSha256: 'CC:DD', ...overrides });
}

/** A verified chain (leaf, root) whose leaf names SERVER; `leaf` edits the leaf. */
export function chain(leaf: Partial<CertificateEvidence> & { daysLeft?: number } = {}, overrides: Partial<CertificateChainEvidence> = {}): CertificateChainEvidence {
  return { chain: [certificate(leaf), root()], chainValid: true, chainError: null, nameChecked: SERVER, nameMatches: true, trusted: true, ...overrides };
}

interface Where {
  vantage?: VantageKind;
  address?: string;
  host?: string | null;
  port?: number;
}

function target(where: Where, port: number) {
  const address = where.address ?? ADDRESS;
  return { host: where.host === undefined ? SERVER : where.host, address, port: where.port ?? port, family: familyOf(address) };
}

/** A submission dialog that went to the end with a compliant server (530 5.7.0 to MAIL FROM, AUTH PLAIN accepted). */
export function compliantSubmission(where: Where = {}): SubmissionObservation {
  const refused = () => ({
    sender: 'p25-audit-probe@example.com',
    recipient: 'relay-test@example.net.invalid',
    mailFrom: reply('530 5.7.0 Authentication required'),
    rcptTo: null,
    rset: reply('250 2.0.0 OK'),
    accepted: false,
    refusedAt: 'mail' as const,
  });
  return {
    type: 'observation',
    probe: 'submission',
    target: target(where, 587),
    vantage: where.vantage ?? 'outside',
    startedAt: STARTED,
    ms: 40,
    outcome: 'completed',
    serverName: where.host === null ? (where.address ?? ADDRESS) : (where.host ?? SERVER),
    connect: { outcome: 'open', ms: 2, errorCode: null },
    greeting: reply(`220 ${SERVER} ESMTP`),
    hello: ehlo('PIPELINING', 'SIZE 10485760', 'STARTTLS', 'ENHANCEDSTATUSCODES'),
    tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', cipherStandardName: 'TLS_AES_256_GCM_SHA384', serverName: SERVER, ms: 5, plaintextDiscarded: 0 },
    certificate: chain(),
    quit: reply('221 2.0.0 Bye'),
    failure: null,
    bytesReceived: 900,
    transcript: { lines: [`S: 220 ${SERVER} ESMTP`, 'C: EHLO audit.example.net'], omitted: 0 },
    relayBeforeTls: refused(),
    starttls: reply('220 2.0.0 Ready to start TLS'),
    helloAfterTls: ehlo('PIPELINING', 'AUTH PLAIN LOGIN', 'ENHANCEDSTATUSCODES'),
    relayAfterTls: refused(),
    auth: { attempted: true, mechanism: 'PLAIN', user: 'alice', reply: reply('235 2.7.0 Authentication successful'), succeeded: true },
  };
}

/** The dialog of a server that does not offer STARTTLS: everything from STARTTLS on is absent. */
export function withoutStarttls(where: Where = {}): SubmissionObservation {
  return {
    ...compliantSubmission(where),
    outcome: 'hello',
    hello: ehlo('PIPELINING', 'SIZE 10485760'),
    starttls: null,
    tls: null,
    certificate: null,
    helloAfterTls: null,
    relayAfterTls: null,
    auth: { attempted: false, withheld: 'no-tls', reason: 'no TLS; credentials withheld', user: 'alice' },
  };
}

/** A dialog that broke at the greeting (nothing after it). */
export function brokenAtGreeting(kind: 'timeout' | 'closed' | 'protocol' | 'cap-exceeded', where: Where = {}): SubmissionObservation {
  return {
    ...withoutStarttls(where),
    outcome: 'connected',
    greeting: null,
    hello: null,
    relayBeforeTls: null,
    auth: null,
    quit: null,
    failure: { step: 'greeting', phase: 'greeting', kind, message: 'the dialog took longer than its 500 ms deadline' },
  };
}

/** The connect did not open. */
export function notOpen(outcome: 'closed' | 'filtered' | 'unreachable' | 'error', errorCode: string, where: Where = {}): SubmissionObservation {
  return {
    ...brokenAtGreeting('closed', where),
    outcome,
    connect: { outcome, ms: 1, errorCode },
    failure: { step: 'connect', phase: 'connect', kind: outcome === 'closed' ? 'refused' : outcome === 'error' ? 'local' : 'timeout', message: `connect ${outcome} (${errorCode})` },
    transcript: { lines: [], omitted: 0 },
  };
}

/** An implicit-TLS dialog that went to the end. */
export function compliantImplicit(where: Where = {}): ImplicitTlsObservation {
  const base = compliantSubmission(where);
  return {
    type: 'observation',
    probe: 'implicit-tls',
    target: target(where, 465),
    vantage: base.vantage,
    startedAt: STARTED,
    ms: 30,
    outcome: 'completed',
    serverName: base.serverName,
    connect: { outcome: 'open', ms: 2, errorCode: null },
    greeting: reply(`220 ${SERVER} ESMTP`),
    hello: ehlo('PIPELINING', 'AUTH PLAIN LOGIN'),
    tls: { ...base.tls!, plaintextDiscarded: 0 },
    certificate: chain(),
    quit: reply('221 2.0.0 Bye'),
    failure: null,
    bytesReceived: 600,
    transcript: { lines: ['* TLS established: TLSv1.3 TLS_AES_256_GCM_SHA384', `S: 220 ${SERVER} ESMTP`], omitted: 0 },
  };
}
