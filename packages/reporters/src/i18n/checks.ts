/**
 * Per check id: the German title (the English one is the core catalogue's)
 * and what to do when the check fails or warns, in English and German.
 */
import { CHECKS, type CheckResult } from '@port25-audit/core';
import type { Lang } from './ui.js';

export interface CheckText {
  titleDe: string;
  /** What to do about a `fail` (and an `error`, when no `error` text is given). */
  remedy: Record<Lang, string>;
  /** What to do about a `warn`, when it differs from a failure. */
  warn?: Record<Lang, string>;
}

export const CHECK_TEXT: Record<string, CheckText> = {
  'P1.port-open': {
    titleDe: 'Submission-Port nimmt TCP-Verbindungen an',
    remedy: {
      en: 'Run a message submission agent (MSA) on port 587 of this server and allow port 587 through every firewall between the Internet, your customers and the server (RFC 6409 §3.1).',
      de: 'Betreiben Sie auf Port 587 dieses Servers einen Message Submission Agent (MSA) und lassen Sie Port 587 durch jede Firewall zwischen Internet, Kunden und Server zu (RFC 6409 §3.1).',
    },
  },
  'P1.greeting': {
    titleDe: 'Server grüsst mit 220 und beantwortet EHLO',
    remedy: {
      en: 'The service on port 587 must greet promptly with a 220 reply and answer EHLO with 250 and its extensions (RFC 5321 §4.2, §4.1.1.1). Check that no proxy, tarpit or other protocol sits on the port.',
      de: 'Der Dienst auf Port 587 muss umgehend mit 220 grüssen und EHLO mit 250 und seinen Erweiterungen beantworten (RFC 5321 §4.2, §4.1.1.1). Prüfen Sie, dass kein Proxy, Tarpit oder anderes Protokoll auf dem Port sitzt.',
    },
  },
  'P1.starttls-offered': {
    titleDe: 'STARTTLS wird angeboten',
    remedy: {
      en: 'Enable STARTTLS on the submission service with a valid certificate, so that passwords and mail are never sent in clear (RFC 3207, RFC 8314 §3).',
      de: 'Aktivieren Sie STARTTLS auf dem Submission-Dienst mit einem gültigen Zertifikat, damit Passwörter und E-Mails nie im Klartext übertragen werden (RFC 3207, RFC 8314 §3).',
    },
  },
  'P1.tls-handshake': {
    titleDe: 'STARTTLS-Handshake gelingt mit TLS 1.2 oder neuer',
    remedy: {
      en: 'Fix the TLS configuration of the submission service: after "220 Ready to start TLS" the handshake must complete (certificate and key loaded, a common cipher suite, TLS 1.2 or 1.3).',
      de: 'Korrigieren Sie die TLS-Konfiguration des Submission-Dienstes: nach „220 Ready to start TLS“ muss der Handshake gelingen (Zertifikat und Schlüssel geladen, eine gemeinsame Cipher-Suite, TLS 1.2 oder 1.3).',
    },
    warn: {
      en: 'Disable TLS 1.0 and 1.1 on the submission service and offer TLS 1.2 and 1.3 only (RFC 8996, RFC 8314 §4.1).',
      de: 'Deaktivieren Sie TLS 1.0 und 1.1 auf dem Submission-Dienst und bieten Sie nur TLS 1.2 und 1.3 an (RFC 8996, RFC 8314 §4.1).',
    },
  },
  'P1.certificate': {
    titleDe: 'Zertifikat ist vertrauenswürdig, passt zum Namen und ist gültig',
    remedy: {
      en: 'Install a certificate from a public CA that names this server (subjectAltName), is within its validity period, uses RSA ≥ 2048 bit or EC ≥ 256 bit and a SHA-256 (or stronger) signature, and serve the full intermediate chain.',
      de: 'Installieren Sie ein Zertifikat einer öffentlichen CA, das diesen Server nennt (subjectAltName), im Gültigkeitszeitraum liegt, RSA ≥ 2048 Bit oder EC ≥ 256 Bit und eine SHA-256- (oder stärkere) Signatur verwendet, und liefern Sie die vollständige Zwischenzertifikatskette aus.',
    },
    warn: {
      en: 'Renew the certificate now: fewer than 21 days remain. Automate renewal (for example with ACME) and monitor the expiry date.',
      de: 'Erneuern Sie das Zertifikat jetzt: es bleiben weniger als 21 Tage. Automatisieren Sie die Erneuerung (zum Beispiel mit ACME) und überwachen Sie das Ablaufdatum.',
    },
  },
  'P1.implicit-tls': {
    titleDe: 'Submission mit implizitem TLS (Port 465) funktioniert',
    remedy: {
      en: 'Port 465 opens but implicit TLS does not work: fix its certificate and TLS configuration as for port 587, or close the port if you do not offer it (RFC 8314 §3.3).',
      de: 'Port 465 öffnet, aber implizites TLS funktioniert nicht: korrigieren Sie Zertifikat und TLS-Konfiguration wie für Port 587 oder schliessen Sie den Port, wenn Sie ihn nicht anbieten (RFC 8314 §3.3).',
    },
  },
  'P2.auth-advertised': {
    titleDe: 'AUTH wird nach STARTTLS angeboten',
    remedy: {
      en: 'Enable SMTP AUTH on the submission service after STARTTLS (for example SASL PLAIN and LOGIN over TLS), so that customers can authenticate (RFC 4954 §3, RFC 6409 §4.3).',
      de: 'Aktivieren Sie SMTP AUTH auf dem Submission-Dienst nach STARTTLS (zum Beispiel SASL PLAIN und LOGIN über TLS), damit sich Kunden authentisieren können (RFC 4954 §3, RFC 6409 §4.3).',
    },
  },
  'P2.no-cleartext-auth': {
    titleDe: 'Kein AUTH PLAIN oder LOGIN vor STARTTLS',
    remedy: {
      en: 'Offer AUTH PLAIN and LOGIN only after STARTTLS (for Postfix smtpd_tls_auth_only = yes, for Exim server_advertise_condition on TLS), so that passwords never cross the network in clear (RFC 4954 §4).',
      de: 'Bieten Sie AUTH PLAIN und LOGIN erst nach STARTTLS an (bei Postfix smtpd_tls_auth_only = yes, bei Exim server_advertise_condition auf TLS), damit Passwörter nie im Klartext übertragen werden (RFC 4954 §4).',
    },
  },
  'P2.relay-refused': {
    titleDe: 'Weiterleiten ohne Authentisierung wird abgelehnt',
    remedy: {
      en: 'Without authentication the server accepts mail for external recipients (an open relay), or only defers it with a 4xx reply that clients retry. Require AUTH for every recipient outside your own domains and refuse permanently with 530 5.7.0 (RFC 4954 §6, RFC 6409 §4.3).',
      de: 'Der Server nimmt ohne Authentisierung E-Mails an externe Empfänger an (ein offenes Relais) oder stellt sie nur mit einer 4xx-Antwort zurück, die Clients wiederholen. Verlangen Sie AUTH für jeden Empfänger ausserhalb Ihrer eigenen Domänen und lehnen Sie dauerhaft mit 530 5.7.0 ab (RFC 4954 §6, RFC 6409 §4.3).',
    },
  },
  'P2.auth-works': {
    titleDe: 'Authentisierung mit den Zugangsdaten des Plans gelingt',
    remedy: {
      en: 'Authentication with the plan’s credentials was not accepted with 235: check the account, the SASL backend of the submission service and the mechanisms it offers over TLS.',
      de: 'Die Authentisierung mit den Zugangsdaten des Plans wurde nicht mit 235 angenommen: prüfen Sie das Konto, das SASL-Backend des Submission-Dienstes und die Mechanismen, die er über TLS anbietet.',
    },
  },
  'P3.outbound-587': {
    titleDe: 'Ausgehende Submission auf Port 587 erreicht den Kontrollserver',
    remedy: {
      en: 'Customers must reach any submission server on port 587: remove outbound filters and transparent proxies for port 587 from the customer network, so that they can use their own provider’s mail service (RFC 6409).',
      de: 'Kunden müssen jeden Submission-Server auf Port 587 erreichen: entfernen Sie ausgehende Filter und transparente Proxys für Port 587 aus dem Kundennetz, damit Kunden den Maildienst ihres eigenen Anbieters nutzen können (RFC 6409).',
    },
  },
  'P4.srv-records': {
    titleDe: 'SRV-Einträge verweisen Clients auf Submission',
    remedy: {
      en: 'Publish _submission._tcp (port 587) and, if you offer it, _submissions._tcp (port 465) SRV records for the mail domain pointing to your submission servers, never to port 25 (RFC 6186 §3.1, RFC 8314 §5.1).',
      de: 'Veröffentlichen Sie SRV-Einträge _submission._tcp (Port 587) und, falls angeboten, _submissions._tcp (Port 465) für die Maildomäne, die auf Ihre Submission-Server zeigen, nie auf Port 25 (RFC 6186 §3.1, RFC 8314 §5.1).',
    },
    warn: {
      en: 'An SRV record points to a port other than the submission ports: point it to port 587 (STARTTLS) or 465 (implicit TLS).',
      de: 'Ein SRV-Eintrag zeigt auf einen anderen als die Submission-Ports: lassen Sie ihn auf Port 587 (STARTTLS) oder 465 (implizites TLS) zeigen.',
    },
  },
  'P4.autoconfig': {
    titleDe: 'Autoconfig bietet Submission mit Authentisierung an',
    remedy: {
      en: 'Serve config-v1.1.xml at https://autoconfig.DOMAIN/mail/config-v1.1.xml with an outgoingServer on port 587 (STARTTLS) or 465 (SSL) and an authentication method other than none; never port 25.',
      de: 'Stellen Sie config-v1.1.xml unter https://autoconfig.DOMAIN/mail/config-v1.1.xml bereit, mit einem outgoingServer auf Port 587 (STARTTLS) oder 465 (SSL) und einer anderen Authentisierung als none; nie Port 25.',
    },
    warn: {
      en: 'The autoconfig file names an unusual port for outgoing mail: use port 587 (STARTTLS) or 465 (SSL).',
      de: 'Die Autoconfig-Datei nennt für ausgehende E-Mails einen ungewöhnlichen Port: verwenden Sie Port 587 (STARTTLS) oder 465 (SSL).',
    },
  },
  'P4.attested': {
    titleDe: 'Bestätigung der Client-Konfiguration durch den Auditor',
    remedy: {
      en: 'Document how customers’ mail clients are configured (setup guides, provisioned devices) and record it as attestations.P4 in the plan, with a URL to the evidence.',
      de: 'Dokumentieren Sie, wie die Mailclients der Kunden konfiguriert werden (Anleitungen, vorkonfigurierte Geräte), und halten Sie es als attestations.P4 im Plan fest, mit einer URL zum Nachweis.',
    },
  },
  'P5.outbound-25-blocked': {
    titleDe: 'Ausgehender Port 25 zu einem externen MX ist gesperrt',
    remedy: {
      en: 'Block TCP port 25 from the dynamic customer ranges to the Internet at the border or the access routers, over IPv4 and IPv6 alike, and allow it only from your authorized relays.',
      de: 'Sperren Sie TCP-Port 25 aus den dynamischen Kundenbereichen ins Internet an der Grenze oder den Zugangsroutern, für IPv4 und IPv6 gleichermassen, und erlauben Sie ihn nur Ihren ermächtigten Relais.',
    },
    warn: {
      en: 'Outbound port 25 is redirected to another server instead of being blocked: block it, or make sure the intercepting relay accepts only authenticated mail and tell customers about it.',
      de: 'Ausgehender Port 25 wird auf einen anderen Server umgeleitet statt gesperrt: sperren Sie ihn, oder stellen Sie sicher, dass das abfangende Relais nur authentisierte E-Mails annimmt, und informieren Sie die Kunden darüber.',
    },
  },
  'P5.relay-reachable': {
    titleDe: 'Ermächtigte Relais antworten von innen auf Port 25',
    remedy: {
      en: 'An authorized relay does not answer on port 25 from inside: customers’ legitimate mail servers need it. Check the relay and the exception for it in the port 25 filter.',
      de: 'Ein ermächtigtes Relais antwortet von innen nicht auf Port 25: die legitimen Mailserver der Kunden brauchen es. Prüfen Sie das Relais und seine Ausnahme im Port-25-Filter.',
    },
  },
  'P6.inbound-25-blocked': {
    titleDe: 'Eingehender Port 25 zu dynamischen Hosts ist gesperrt',
    remedy: {
      en: 'Block inbound TCP port 25 to the dynamic ranges at the network border, over IPv4 and IPv6, except for the authorized relays; then look into each open host listed in the evidence.',
      de: 'Sperren Sie eingehenden TCP-Port 25 zu den dynamischen Bereichen an der Netzgrenze, für IPv4 und IPv6, ausser für die ermächtigten Relais; prüfen Sie danach jeden offenen Host, der in den Nachweisen steht.',
    },
  },
  'P6.authorized-exceptions': {
    titleDe: 'Ermächtigte Relais in den dynamischen Bereichen sind erreichbar',
    remedy: {
      en: 'An authorized relay inside the dynamic ranges does not accept port 25 from outside: if it should receive mail, add its exception to the inbound filter; if it no longer relays, remove it from authorizedRelays in the plan.',
      de: 'Ein ermächtigtes Relais in den dynamischen Bereichen nimmt Port 25 von aussen nicht an: soll es E-Mails empfangen, nehmen Sie seine Ausnahme in den Eingangsfilter auf; leitet es nicht mehr weiter, entfernen Sie es aus authorizedRelays im Plan.',
    },
  },
};

/** What to do when a probe could not run: says nothing about the network, so the advice is about the audit. */
const ERROR_REMEDY: Record<Lang, string> = {
  en: 'The probe could not run, so this check says nothing about the network yet: fix the cause named in the finding (a name that does not resolve, a local resource error, a scope refusal) and scan again.',
  de: 'Die Sonde konnte nicht ausgeführt werden; diese Prüfung sagt daher noch nichts über das Netz: beheben Sie die im Befund genannte Ursache (ein Name, der sich nicht auflösen lässt, ein lokaler Ressourcenfehler, eine Ablehnung wegen des Geltungsbereichs) und scannen Sie erneut.',
};

const UNKNOWN_REMEDY: Record<Lang, string> = {
  en: 'See the finding and the evidence of this check, and the recommendation of its practice above.',
  de: 'Siehe Befund und Nachweise dieser Prüfung sowie die Empfehlung der Arbeitsweise oben.',
};

/** The title of a check in a language; an id unknown to the catalogue shows as itself. */
export function checkTitle(id: string, lang: Lang): string {
  if (lang === 'de') {
    const text = CHECK_TEXT[id];
    if (text !== undefined) return text.titleDe;
  }
  return CHECKS.find((check) => check.id === id)?.title ?? id;
}

/**
 * What to do about a failed, errored or warned check, or null for a check
 * that passed or was not tested.
 */
export function remedyFor(check: Pick<CheckResult, 'id' | 'status'>, lang: Lang): string | null {
  if (check.status === 'pass' || check.status === 'skip') return null;
  if (check.status === 'error') return ERROR_REMEDY[lang];
  const text = CHECK_TEXT[check.id];
  if (text === undefined) return UNKNOWN_REMEDY[lang];
  return check.status === 'warn' && text.warn !== undefined ? text.warn[lang] : text.remedy[lang];
}
