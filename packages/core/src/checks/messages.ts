/**
 * Every summary a check writes, as a stable message id with an English
 * template. Reporters translate by id (`CheckResult.message`) and fall back to
 * `CheckResult.summary`. Placeholders are `{name}`; params are plain strings or
 * numbers (numbers unformatted, so a translation can format them for its locale).
 * Outcome words (`open`, `closed`, `filtered`, `unreachable`, `error`) arrive as
 * the `{outcome}` param in English and are the TCP vocabulary of DESIGN.md.
 */
import type { CheckResult } from '../model.js';

/** Message id → English template. Ids never change meaning; add new ones instead. */
export const MESSAGES = {
  // Not tested: never counted as a pass.
  'skip.no-vantage-scan': 'not tested: no {vantage} scan',
  'skip.plan-missing': 'not tested: plan has no {field}',
  'skip.no-observation': 'not tested: no {probe} observation for {target} (the scan did not reach it)',
  'skip.no-relay-in-dynamic': 'not tested: no authorized relay lies inside scope.dynamic',
  'skip.no-route': 'not tested: this vantage has no {family} route',
  'skip.no-scan': 'not tested: no scan file was given',
  // The probe could not run: says nothing about the network.
  'error.dns': '{name} did not resolve ({code}): the probe could not run',
  'error.probe': 'the probe could not run ({code})',
  // A step of an SMTP dialog that was never reached: the earlier step that failed carries the failure.
  'skip.not-reached': 'not reached: {step}',
  // SMTP dialog steps shared by P1 and P2 ({step} and {kind} are the probe's step and error words).
  'smtp.step-failed': '{step} failed: {kind}',
  'smtp.ehlo-refused': 'EHLO is answered {code} instead of 250',
  'smtp.helo-only': 'EHLO is refused ({code}); only HELO is answered, so no extension (STARTTLS, AUTH) can be offered',
  // P1 submission on ports.submission (RFC 6409, RFC 3207) and ports.submissions (RFC 8314).
  'p1.port-open': 'port {port} accepts TCP connections',
  'p1.port-not-open': 'port {port} is {outcome}: no submission service answers there',
  'p1.greeting-ok': 'greets with 220 and answers EHLO with 250',
  'p1.greeting-ok-bare': 'greets with 220 and answers EHLO with 250, with bare reply codes (allowed by RFC 5321 §4.2)',
  'p1.greeting-refused': 'greets with {code} instead of 220: no submission service is offered',
  'p1.starttls-offered': 'STARTTLS is offered',
  'p1.starttls-missing': 'STARTTLS is not offered: passwords and mail would cross the network in clear',
  'p1.starttls-refused': 'STARTTLS is answered {code} instead of 220',
  'p1.tls-ok': 'the TLS handshake succeeds with {protocol} ({cipher})',
  'p1.tls-old': 'the TLS handshake succeeds, but with {protocol}, older than TLS 1.2',
  'p1.tls-failed': 'the TLS handshake fails',
  'p1.certificate-ok': 'the certificate is trusted, names {name} and is valid for {days} more days',
  'p1.certificate-missing': 'the server presents no certificate',
  'p1.certificate-untrusted': 'the certificate chain does not verify ({error})',
  'p1.certificate-self-signed': 'the certificate is self-signed: no trusted CA vouches for it',
  'p1.certificate-wrong-name': 'the certificate does not name {name}',
  'p1.certificate-expired': 'the certificate expired on {date}',
  'p1.certificate-not-yet-valid': 'the certificate is not valid before {date}',
  'p1.certificate-weak-key': 'the certificate key is too weak: {key} (RSA needs 2048 bits, EC 256)',
  'p1.certificate-weak-signature': 'the certificate of {subject} is signed with {algorithm}, a broken digest',
  'p1.certificate-expiring': 'the certificate expires in {days} days, on {date}',
  'p1.implicit-ok': 'implicit TLS works: {protocol}, a trusted certificate, greeting and EHLO',
  'p1.implicit-not-offered': 'port {port} is {outcome}: implicit TLS is not offered (it is optional)',
  // P2 authentication and relaying on ports.submission (RFC 4954, RFC 6409 §4.3).
  'p2.auth-advertised': 'AUTH is offered after STARTTLS: {mechanisms}',
  'p2.auth-not-advertised': 'AUTH is not offered after STARTTLS: customers cannot authenticate',
  'p2.auth-no-mechanism': 'AUTH is offered after STARTTLS, but without any mechanism',
  'p2.no-cleartext-auth': 'no AUTH PLAIN or LOGIN is offered before STARTTLS',
  'p2.no-cleartext-auth-other': 'before STARTTLS only AUTH {mechanisms} is offered, no plaintext password mechanism',
  'p2.auth-in-clear': 'AUTH {mechanisms} is offered before STARTTLS: passwords may cross the network in clear',
  'p2.relay-refused': 'relaying without AUTH is refused ({code} at {command}) before and after STARTTLS',
  'p2.relay-refused-clear-only': 'relaying without AUTH is refused in clear ({code} at {command}); the attempt over TLS was not made (not reached: {step})',
  'p2.relay-accepted-before-tls': 'an external recipient is accepted without AUTH before STARTTLS ({code}): the server is an open relay',
  'p2.relay-accepted-after-tls': 'an external recipient is accepted without AUTH after STARTTLS ({code}): the server is an open relay',
  'p2.relay-deferred': 'relaying without AUTH is only deferred ({code} at {command}), not refused: a client retries a 4xx reply',
  'p2.relay-unexpected': '{command} without AUTH is answered {code}, neither an acceptance nor a refusal',
  'p2.auth-works': 'AUTH {mechanism} with the plan credentials is accepted (235)',
  'p2.auth-failed': 'AUTH {mechanism} with the plan credentials is answered {code} instead of 235',
  'p2.auth-no-credentials': 'not tested: the plan names no credentials',
  'p2.auth-variable-unset': 'not tested: the environment variable {variable} is not set',
  'p2.auth-untrusted': 'not tested: certificate not trusted; credentials withheld',
  'p2.auth-not-offered': 'not tested: AUTH is not offered after STARTTLS',
  'p2.auth-no-usable-mechanism': 'not tested: neither AUTH PLAIN nor LOGIN is offered ({mechanisms})',
  // P3 outbound submission canary.
  'p3.reached': "port {port} opens and the greeting is the canary's own",
  'p3.reached-unjudged': 'port {port} opens; greeting not judged: no expect for an address',
  'p3.intercepted': "port {port} opens but the greeting is not the canary's: the connection is intercepted",
  'p3.no-greeting': 'port {port} opens but no greeting came: the canary was not reached',
  'p3.blocked': 'port {port} is {outcome}: outbound submission is blocked',
  // P5 outbound SMTP canary and relays seen from inside.
  'p5.blocked': 'port {port} is {outcome}: outbound SMTP is blocked',
  'p5.leak': 'port {port} opens and the canary greets: outbound SMTP is not blocked',
  'p5.leak-unjudged': 'port {port} opens: outbound SMTP is not blocked (interception cannot be judged: no expect for an address)',
  'p5.redirected': 'port {port} opens but another server greets: outbound SMTP is redirected, not blocked',
  'p5.open-no-greeting': 'port {port} opens but no greeting came: the canary was not confirmed',
  'p5.relay-answers': 'the authorized relay answers on port {port} with 220',
  'p5.relay-no-220': 'port {port} opens but the authorized relay does not greet with 220',
  'p5.relay-unreachable': 'port {port} is {outcome}: the authorized relay is not reachable from inside',
  // P6 inbound over the sampled dynamic ranges, and the relays among them.
  'p6.none-open': 'no host of {sampled} sampled accepts port {port}; at most {upperBoundPercent}% of the range does (95% upper bound)',
  'p6.none-open-census': 'none of the {sampled} addresses in scope accepts port {port} (every address probed)',
  'p6.open': '{open} of {sampled} sampled hosts accept port {port}',
  'p6.all-error': 'the probe could not run for any of the {sampled} sampled hosts',
  'p6.relay-open': 'the authorized relay accepts port {port} as expected',
  'p6.relay-not-open': 'port {port} is {outcome}: the authorized relay is not reachable from outside',
  // P4 attestation from the plan.
  'p4.attested': 'client configuration is attested by {who}',
  // P4 SRV records (RFC 6186, RFC 8314 §5.1): compared with the plan, never followed.
  'p4.srv-ok': '{name} points to {host}:{port}, a submission server on a submission port',
  'p4.srv-smtp-port': '{name} points to {host}:{port}: port {port} is the SMTP relay port, not submission',
  'p4.srv-other-port': '{name} points to {host}:{port}, which is not a submission port',
  'p4.srv-unknown-target': "{name} points to {host}, which is not one of the plan's submission servers",
  'p4.srv-not-published': 'no {name} SRV record is published ({code})',
  'p4.srv-unavailable': '{name} says the service is not available (target ".")',
  'p4.srv-dns-error': 'the SRV lookup of {name} failed ({code}) at resolver {resolver}: the probe could not run',
  // P4 Mozilla autoconfig.
  'p4.autoconfig-ok': '{url}: outgoing server {host}:{port} ({socketType}) with authentication',
  'p4.autoconfig-smtp-port': '{url}: outgoing server {host} is on port {port}, the SMTP relay port, not submission',
  'p4.autoconfig-no-auth': '{url}: outgoing server {host}:{port} is configured without authentication',
  'p4.autoconfig-cleartext-password': '{url}: outgoing server {host}:{port} sends the password in clear (password-cleartext over a plain socket)',
  'p4.autoconfig-other-port': '{url}: outgoing server {host} is on port {port}, which is not a submission port',
  'p4.autoconfig-no-tls': '{url}: outgoing server {host}:{port} does not use TLS (socketType plain)',
  'p4.autoconfig-socket-mismatch': '{url}: outgoing server {host}:{port} has socketType {socketType}, but port {port} expects {expected}',
  'p4.autoconfig-unknown-host': "{url}: outgoing server {host} is not one of the plan's submission servers",
  'p4.autoconfig-no-port': '{url}: outgoing server {host} names no valid port ({port})',
  'p4.autoconfig-no-outgoing': '{url} names no SMTP outgoing server',
  'p4.autoconfig-malformed': '{url} is not a valid autoconfig document: {reason}',
  'p4.autoconfig-fetch-failed': '{url} could not be fetched: {reason}',
  'p4.autoconfig-redirect-refused': '{url}: {reason}',
  'p4.autoconfig-http-status': '{url} answered HTTP {status}: no autoconfig document',
  'p4.autoconfig-not-published': 'no autoconfig at {url} ({reason})',
  'p4.autoconfig-no-host': '{name} does not resolve ({code}): no autoconfig is published there',
} as const;

export type MessageId = keyof typeof MESSAGES;
export type MessageParams = Record<string, string | number>;

/**
 * Renders a message template with its params; an unknown placeholder stays visible.
 *
 * @example
 * formatMessage('p3.blocked', { port: 587, outcome: 'filtered' })
 * // 'port 587 is filtered: outbound submission is blocked'
 */
export function formatMessage(id: MessageId, params: MessageParams = {}): string {
  return MESSAGES[id].replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/**
 * The `summary` and `message` fields of a check result for one message.
 *
 * @example
 * const { summary, message } = summarize('skip.no-vantage-scan', { vantage: 'inside' });
 */
export function summarize(
  id: MessageId,
  params: MessageParams = {},
): Pick<CheckResult, 'summary' | 'message'> {
  return { summary: formatMessage(id, params), message: { id, params } };
}
