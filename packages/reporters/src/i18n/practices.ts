/**
 * The six practices in words: the statement of the MAAWG paper ("Best
 * Practices", items 1-6; English in MAAWG's words, German verbatim from the
 * seed translation), German titles in the seed's wording, and how
 * port25-audit tests each practice.
 */
import type { PracticeId } from '@port25-audit/core';
import type { Lang } from './ui.js';

export interface PracticeText {
  /** Title in the seed's wording; the English title comes from the report. */
  titleDe: string;
  statement: Record<Lang, string>;
  howTested: Record<Lang, string>;
}

export const PRACTICE_TEXT: Record<PracticeId, PracticeText> = {
  P1: {
    titleDe: 'E-Mailversand über Port 587 anbieten, wie in RFC 2476 beschrieben',
    statement: {
      en: 'Provide email submission services on port 587, as described in RFC 2476.',
      de: 'Bieten Sie E-Mailversand über Port 587 an, wie in RFC 2476 beschrieben wird.',
    },
    howTested: {
      en: 'Each submission server of the plan is contacted on port 587: TCP connect, 220 greeting, EHLO, STARTTLS, the TLS handshake and the certificate (chain, name, validity, key, signature). Port 465 with implicit TLS (RFC 8314) is reported when it is offered. RFC 2476 is today RFC 6409.',
      de: 'Jeder Submission-Server des Plans wird auf Port 587 angesprochen: TCP-Verbindung, Begrüssung 220, EHLO, STARTTLS, TLS-Handshake und Zertifikat (Kette, Name, Gültigkeit, Schlüssel, Signatur). Port 465 mit implizitem TLS (RFC 8314) wird gemeldet, wenn er angeboten wird. RFC 2476 ist heute RFC 6409.',
    },
  },
  P2: {
    titleDe: 'Für den E-Mailversand eine Authentisierung verlangen, wie in RFC 2554 beschrieben',
    statement: {
      en: 'Require authentication for email submission, as described in RFC 2554.',
      de: 'Verlangen Sie für den E-Mailversand eine Authentisierung, wie in RFC 2554 beschrieben wird.',
    },
    howTested: {
      en: 'On each submission server: AUTH must be advertised after STARTTLS and no PLAIN or LOGIN before it; relaying to an external address without AUTH must be refused (the probe stops at RCPT TO and never sends DATA); with credentials named in the plan, AUTH over TLS must succeed. RFC 2554 is today RFC 4954.',
      de: 'Auf jedem Submission-Server: AUTH muss nach STARTTLS angeboten werden, PLAIN oder LOGIN nicht davor; das Weiterleiten an eine externe Adresse ohne AUTH muss abgelehnt werden (die Sonde hält bei RCPT TO an und sendet nie DATA); mit Zugangsdaten aus dem Plan muss AUTH über TLS gelingen. RFC 2554 ist heute RFC 4954.',
    },
  },
  P3: {
    titleDe: 'Outbound-Konnektivität über Port 587 sicherstellen',
    statement: {
      en: 'Ensure outbound connectivity over 587.',
      de: 'Stellen Sie Outbound Konnektivität über 587 sicher.',
    },
    howTested: {
      en: 'From inside the customer network, each external submission server of the plan (a canary) must accept a connection on port 587 and greet with its own banner, so that the connection is neither blocked nor intercepted.',
      de: 'Aus dem Kundennetz muss jeder externe Submission-Server des Plans (ein Kontrollserver) eine Verbindung auf Port 587 annehmen und mit seiner eigenen Begrüssung antworten, die Verbindung also weder gesperrt noch abgefangen werden.',
    },
  },
  P4: {
    titleDe: 'E-Mail-Client-Software für Port 587 und Authentisierung beim E-Mailversand konfigurieren',
    statement: {
      en: 'Configure email client software to use port 587 and authentication for email submission.',
      de: 'Konfigurieren Sie die E-Mail-Client-Software so, dass der Port 587 und Authentisierungen für den E-Mailversand benutzt wird.',
    },
    howTested: {
      en: 'What mail clients are told is read from DNS and HTTP: RFC 6186 SRV records and Mozilla autoconfig for the plan’s mail domain must point to submission with authentication, never to port 25. What cannot be probed (customer guides, provisioned devices) can be covered by an auditor’s attestation in the plan.',
      de: 'Was Mailclients mitgeteilt wird, wird aus DNS und HTTP gelesen: SRV-Einträge nach RFC 6186 und Mozilla-Autoconfig der Maildomäne des Plans müssen auf Submission mit Authentisierung zeigen, nie auf Port 25. Was sich nicht prüfen lässt (Kundenanleitungen, vorkonfigurierte Geräte), kann eine Bestätigung des Auditors im Plan abdecken.',
    },
  },
  P5: {
    titleDe: 'Zugang zum Port 25 von allen Hosts im Netzwerk sperren, ausser für ermächtigte SMTP-Relais',
    statement: {
      en: 'Block access to port 25 from all hosts on your network other than those you explicitly authorize to perform SMTP relay functions. These will be your own mail servers; they may also include the legitimate mail servers of your responsible customers.',
      de: 'Sperren Sie den Zugang zum Port 25 von allen Hosts in Ihrem Netzwerk, mit Ausnahme von denjenigen, die Sie ausdrücklich zur Ausübung von SMTP-Relaisfunktionen ermächtigen. Dies werden zum einen Ihre eigenen Mailserver sein. Allenfalls gehören auch die legitimen Mailserver Ihrer verantwortlichen Kunden dazu.',
    },
    howTested: {
      en: 'From inside the customer network, port 25 of each external mail server of the plan (a canary) must be filtered, closed or unreachable, over IPv4 and IPv6. A connection that opens but is answered by another server is a transparent redirection and reported as a warning. Each authorized relay must still answer on port 25.',
      de: 'Aus dem Kundennetz muss Port 25 jedes externen Mailservers des Plans (ein Kontrollserver) über IPv4 und IPv6 gefiltert, geschlossen oder unerreichbar sein. Öffnet die Verbindung, antwortet aber ein anderer Server, ist das eine transparente Umleitung und wird als Warnung gemeldet. Jedes ermächtigte Relais muss auf Port 25 weiterhin antworten.',
    },
  },
  P6: {
    titleDe: 'Über Port 25 eingehenden Verkehr zum Netzwerk sperren',
    statement: {
      en: 'Block incoming traffic to your network on port 25. This will prevent abuse by spammers who use asymmetric routing and spoof IP addresses on your network.',
      de: 'Sperren Sie über Port 25 eingehenden Verkehr zu Ihrem Netzwerk. Dadurch verhindern Sie Missbrauch durch Spammer, die asymmetrisches Routing und spoofing IP-Adressen in Ihrem Netzwerk benutzen.',
    },
    howTested: {
      en: 'From outside, a seeded random sample of the dynamic ranges is probed on port 25. No sampled host may accept the connection; the report states a one-sided 95% upper confidence bound (Clopper–Pearson) on the share of the range that does. Authorized relays inside the ranges are expected to answer.',
      de: 'Von aussen wird eine reproduzierbare Zufallsstichprobe der dynamischen Bereiche auf Port 25 geprüft. Kein Host der Stichprobe darf die Verbindung annehmen; der Bericht nennt eine einseitige obere 95-%-Konfidenzschranke (Clopper–Pearson) für den Anteil des Bereichs, der es tut. Ermächtigte Relais in den Bereichen sollen antworten.',
    },
  },
};
