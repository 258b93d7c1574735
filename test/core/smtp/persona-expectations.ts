/**
 * The statuses DESIGN.md implies for P1 and P2 on every persona, shared by the
 * library test (probe → checks) and the CLI test (scan → report).
 */
import type { Status } from '@port25-audit/core';
import type { PersonaName } from '@port25-audit/fixtures';

export const CHECK_ORDER = [
  'P1.port-open',
  'P1.greeting',
  'P1.starttls-offered',
  'P1.tls-handshake',
  'P1.certificate',
  'P2.auth-advertised',
  'P2.no-cleartext-auth',
  'P2.relay-refused',
  'P2.auth-works',
] as const;

export type Row = [Status, Status, Status, Status, Status, Status, Status, Status, Status];

/** What a persona must give: the statuses in CHECK_ORDER, and some summaries word for word. */
export interface PersonaExpectation {
  row: Row;
  says?: Partial<Record<(typeof CHECK_ORDER)[number], string>>;
}

/**
 * What DESIGN.md implies for each persona on the submission port, in
 * CHECK_ORDER, when the plan names it `server` and gives credentials it accepts.
 */
export function expectedStatuses(server: string): Partial<Record<PersonaName, PersonaExpectation>> {
  return {
    'compliant-msa': { row: ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass'] },
    'ecdsa-cert': { row: ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass'] },
    'no-starttls': {
      row: ['pass', 'pass', 'fail', 'skip', 'skip', 'skip', 'pass', 'pass', 'skip'],
      says: {
        'P1.tls-handshake': 'not reached: starttls',
        'P2.relay-refused': 'relaying without AUTH is refused in clear (554 at RCPT TO); the attempt over TLS was not made (not reached: starttls)',
      },
    },
    'auth-before-tls': {
      row: ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail', 'pass', 'pass'],
      says: { 'P2.no-cleartext-auth': 'AUTH PLAIN LOGIN is offered before STARTTLS: passwords may cross the network in clear' },
    },
    'open-relay': {
      row: ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail', 'pass'],
      says: { 'P2.relay-refused': 'an external recipient is accepted without AUTH before STARTTLS (250): the server is an open relay' },
    },
    'expired-cert': {
      row: ['pass', 'pass', 'pass', 'pass', 'fail', 'pass', 'pass', 'pass', 'skip'],
      says: { 'P2.auth-works': 'not tested: certificate not trusted; credentials withheld' },
    },
    'self-signed': {
      row: ['pass', 'pass', 'pass', 'pass', 'fail', 'pass', 'pass', 'pass', 'skip'],
      says: { 'P1.certificate': 'the certificate is self-signed: no trusted CA vouches for it' },
    },
    'wrong-name': {
      row: ['pass', 'pass', 'pass', 'pass', 'fail', 'pass', 'pass', 'pass', 'skip'],
      says: { 'P1.certificate': `the certificate does not name ${server}` },
    },
    'weak-key': {
      row: ['pass', 'pass', 'pass', 'pass', 'fail', 'pass', 'pass', 'pass', 'pass'],
      says: { 'P1.certificate': 'the certificate key is too weak: RSA 1024 (RSA needs 2048 bits, EC 256)' },
    },
    'sha1-signature': {
      row: ['pass', 'pass', 'pass', 'pass', 'fail', 'pass', 'pass', 'pass', 'pass'],
      says: { 'P1.certificate': `the certificate of CN=${server}, O=port25-audit fixtures is signed with sha1WithRSAEncryption, a broken digest` },
    },
    'intercepting-relay': { row: ['pass', 'pass', 'pass', 'pass', 'fail', 'pass', 'pass', 'pass', 'skip'] },
    'tls10-only': {
      row: ['pass', 'pass', 'pass', 'warn', 'pass', 'pass', 'pass', 'pass', 'pass'],
      says: { 'P1.tls-handshake': 'the TLS handshake succeeds, but with TLSv1, older than TLS 1.2' },
    },
    'bare-code-replies': {
      row: ['pass', 'pass', 'fail', 'skip', 'skip', 'skip', 'pass', 'pass', 'skip'],
      says: { 'P1.greeting': 'greets with 220 and answers EHLO with 250, with bare reply codes (allowed by RFC 5321 §4.2)' },
    },
    tarpit: { row: ['pass', 'fail', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip'], says: { 'P1.greeting': 'greeting failed: timeout', 'P2.relay-refused': 'not reached: greeting' } },
    'slow-drip': { row: ['pass', 'fail', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip'], says: { 'P1.greeting': 'greeting failed: timeout' } },
    'endless-line': { row: ['pass', 'fail', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip'], says: { 'P1.greeting': 'greeting failed: cap-exceeded' } },
    'endless-multiline': { row: ['pass', 'fail', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip'], says: { 'P1.greeting': 'greeting failed: cap-exceeded' } },
    'garbage-binary': { row: ['pass', 'fail', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip'], says: { 'P1.greeting': 'greeting failed: protocol' } },
    'reset-after-ehlo': { row: ['pass', 'fail', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip'], says: { 'P1.greeting': 'ehlo failed: closed', 'P1.starttls-offered': 'not reached: ehlo' } },
    '421-busy': { row: ['pass', 'fail', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip'], says: { 'P1.greeting': 'greets with 421 instead of 220: no submission service is offered' } },
    '554-refusal': { row: ['pass', 'fail', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip'], says: { 'P1.greeting': 'greets with 554 instead of 220: no submission service is offered' } },
  };
}

/** Hostile personas get a short dialog deadline, so each costs half a second at most. */
export const HOSTILE: ReadonlySet<PersonaName> = new Set(['tarpit', 'slow-drip', 'endless-line', 'endless-multiline', 'garbage-binary', 'reset-after-ehlo', '421-busy', '554-refusal']);
