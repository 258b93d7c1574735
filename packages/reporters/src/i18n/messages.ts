/**
 * Check summaries in the reader's language. A check result carries its English
 * `summary` and a stable `message` id with params (core `MESSAGES`); German
 * has one template per id, with the same `{name}` placeholders.
 */
import type { CheckResult } from '@port25-audit/core';
import { uiText, type Lang } from './ui.js';

/** Message id → German template, for every id of the core's `MESSAGES`. */
export const MESSAGES_DE: Readonly<Record<string, string>> = {
  'skip.no-vantage-scan': 'nicht geprüft: kein Scan vom Standort {vantage}',
  'skip.plan-missing': 'nicht geprüft: der Plan enthält kein {field}',
  'skip.no-observation': 'nicht geprüft: keine Beobachtung der Sonde {probe} für {target} (der Scan hat es nicht erreicht)',
  'skip.no-relay-in-dynamic': 'nicht geprüft: kein ermächtigtes Relais liegt in scope.dynamic',
  'error.dns': '{name} liess sich nicht auflösen ({code}): die Sonde konnte nicht ausgeführt werden',
  'error.probe': 'die Sonde konnte nicht ausgeführt werden ({code})',
  'skip.not-reached': 'nicht erreicht: {step}',
  'smtp.step-failed': '{step} fehlgeschlagen: {kind}',
  'smtp.ehlo-refused': 'EHLO wird mit {code} statt 250 beantwortet',
  'smtp.helo-only':
    'EHLO wird abgelehnt ({code}); nur HELO wird beantwortet, daher kann keine Erweiterung (STARTTLS, AUTH) angeboten werden',
  'p1.port-open': 'Port {port} nimmt TCP-Verbindungen an',
  'p1.port-not-open': 'Port {port} ist {outcome}: dort antwortet kein Submission-Dienst',
  'p1.greeting-ok': 'grüsst mit 220 und beantwortet EHLO mit 250',
  'p1.greeting-ok-bare': 'grüsst mit 220 und beantwortet EHLO mit 250, mit Antwortcodes ohne Text (zulässig nach RFC 5321 §4.2)',
  'p1.greeting-refused': 'grüsst mit {code} statt 220: es wird kein Submission-Dienst angeboten',
  'p1.starttls-offered': 'STARTTLS wird angeboten',
  'p1.starttls-missing': 'STARTTLS wird nicht angeboten: Passwörter und E-Mails gingen im Klartext über das Netz',
  'p1.starttls-refused': 'STARTTLS wird mit {code} statt 220 beantwortet',
  'p1.tls-ok': 'der TLS-Handshake gelingt mit {protocol} ({cipher})',
  'p1.tls-old': 'der TLS-Handshake gelingt, aber mit {protocol}, älter als TLS 1.2',
  'p1.tls-failed': 'der TLS-Handshake schlägt fehl',
  'p1.certificate-ok': 'das Zertifikat ist vertrauenswürdig, nennt {name} und ist noch {days} Tage gültig',
  'p1.certificate-missing': 'der Server legt kein Zertifikat vor',
  'p1.certificate-untrusted': 'die Zertifikatskette lässt sich nicht verifizieren ({error})',
  'p1.certificate-self-signed': 'das Zertifikat ist selbstsigniert: keine vertrauenswürdige CA bürgt dafür',
  'p1.certificate-wrong-name': 'das Zertifikat nennt {name} nicht',
  'p1.certificate-expired': 'das Zertifikat ist am {date} abgelaufen',
  'p1.certificate-not-yet-valid': 'das Zertifikat ist erst ab {date} gültig',
  'p1.certificate-weak-key': 'der Schlüssel des Zertifikats ist zu schwach: {key} (RSA braucht 2048 Bit, EC 256)',
  'p1.certificate-weak-signature': 'das Zertifikat von {subject} ist mit {algorithm} signiert, einem gebrochenen Hashverfahren',
  'p1.certificate-expiring': 'das Zertifikat läuft in {days} Tagen ab, am {date}',
  'p1.implicit-ok': 'implizites TLS funktioniert: {protocol}, ein vertrauenswürdiges Zertifikat, Begrüssung und EHLO',
  'p1.implicit-not-offered': 'Port {port} ist {outcome}: implizites TLS wird nicht angeboten (es ist optional)',
  'p2.auth-advertised': 'AUTH wird nach STARTTLS angeboten: {mechanisms}',
  'p2.auth-not-advertised': 'AUTH wird nach STARTTLS nicht angeboten: Kunden können sich nicht authentisieren',
  'p2.auth-no-mechanism': 'AUTH wird nach STARTTLS angeboten, aber ohne jeden Mechanismus',
  'p2.no-cleartext-auth': 'vor STARTTLS wird weder AUTH PLAIN noch LOGIN angeboten',
  'p2.no-cleartext-auth-other': 'vor STARTTLS wird nur AUTH {mechanisms} angeboten, kein Klartext-Passwortverfahren',
  'p2.auth-in-clear': 'AUTH {mechanisms} wird vor STARTTLS angeboten: Passwörter können im Klartext über das Netz gehen',
  'p2.relay-refused': 'Weiterleiten ohne AUTH wird vor und nach STARTTLS abgelehnt ({code} bei {command})',
  'p2.relay-refused-clear-only':
    'Weiterleiten ohne AUTH wird im Klartext abgelehnt ({code} bei {command}); der Versuch über TLS fand nicht statt (nicht erreicht: {step})',
  'p2.relay-accepted-before-tls':
    'ein externer Empfänger wird vor STARTTLS ohne AUTH angenommen ({code}): der Server ist ein offenes Relais',
  'p2.relay-accepted-after-tls':
    'ein externer Empfänger wird nach STARTTLS ohne AUTH angenommen ({code}): der Server ist ein offenes Relais',
  'p2.relay-deferred':
    'Weiterleiten ohne AUTH wird nur zurückgestellt ({code} bei {command}), nicht abgelehnt: ein Client wiederholt nach einer 4xx-Antwort',
  'p2.relay-unexpected': '{command} ohne AUTH wird mit {code} beantwortet, weder Annahme noch Ablehnung',
  'p2.auth-works': 'AUTH {mechanism} mit den Zugangsdaten des Plans wird angenommen (235)',
  'p2.auth-failed': 'AUTH {mechanism} mit den Zugangsdaten des Plans wird mit {code} statt 235 beantwortet',
  'p2.auth-no-credentials': 'nicht geprüft: der Plan nennt keine Zugangsdaten',
  'p2.auth-variable-unset': 'nicht geprüft: die Umgebungsvariable {variable} ist nicht gesetzt',
  'p2.auth-untrusted': 'nicht geprüft: Zertifikat nicht vertrauenswürdig; Zugangsdaten zurückgehalten',
  'p2.auth-not-offered': 'nicht geprüft: AUTH wird nach STARTTLS nicht angeboten',
  'p2.auth-no-usable-mechanism': 'nicht geprüft: weder AUTH PLAIN noch LOGIN wird angeboten ({mechanisms})',
  'p3.reached': 'Port {port} öffnet, und die Begrüssung stammt vom Kontrollserver selbst',
  'p3.reached-unjudged': 'Port {port} öffnet; die Begrüssung wurde nicht beurteilt: für eine Adresse ist kein expect angegeben',
  'p3.intercepted': 'Port {port} öffnet, aber die Begrüssung stammt nicht vom Kontrollserver: die Verbindung wird abgefangen',
  'p3.no-greeting': 'Port {port} öffnet, aber es kam keine Begrüssung: der Kontrollserver wurde nicht erreicht',
  'p3.blocked': 'Port {port} ist {outcome}: ausgehender E-Mailversand über Submission ist gesperrt',
  'p5.blocked': 'Port {port} ist {outcome}: ausgehendes SMTP ist gesperrt',
  'p5.leak': 'Port {port} öffnet, und der Kontrollserver grüsst: ausgehendes SMTP ist nicht gesperrt',
  'p5.leak-unjudged':
    'Port {port} öffnet: ausgehendes SMTP ist nicht gesperrt (ein Abfangen ist nicht beurteilbar: für eine Adresse ist kein expect angegeben)',
  'p5.redirected': 'Port {port} öffnet, aber ein anderer Server grüsst: ausgehendes SMTP wird umgeleitet, nicht gesperrt',
  'p5.open-no-greeting': 'Port {port} öffnet, aber es kam keine Begrüssung: der Kontrollserver wurde nicht bestätigt',
  'p5.relay-answers': 'das ermächtigte Relais antwortet auf Port {port} mit 220',
  'p5.relay-no-220': 'Port {port} öffnet, aber das ermächtigte Relais grüsst nicht mit 220',
  'p5.relay-unreachable': 'Port {port} ist {outcome}: das ermächtigte Relais ist von innen nicht erreichbar',
  'p6.none-open':
    'keiner der {sampled} Hosts der Stichprobe nimmt Port {port} an; höchstens {upperBoundPercent} % des Bereichs tun es (obere 95-%-Schranke)',
  'p6.none-open-census': 'keine der {sampled} Adressen im Geltungsbereich nimmt Port {port} an (jede Adresse geprüft)',
  'p6.open': '{open} von {sampled} Hosts der Stichprobe nehmen Port {port} an',
  'p6.all-error': 'die Sonde konnte für keinen der {sampled} Hosts der Stichprobe ausgeführt werden',
  'p6.relay-open': 'das ermächtigte Relais nimmt Port {port} wie erwartet an',
  'p6.relay-not-open': 'Port {port} ist {outcome}: das ermächtigte Relais ist von aussen nicht erreichbar',
  'p4.attested': 'die Client-Konfiguration ist bestätigt durch {who}',
  'skip.no-scan': 'nicht geprüft: es wurde keine Scan-Datei angegeben',
  'skip.no-route': 'nicht geprüft: dieser Standort hat keine {family}-Route',
  'p4.srv-ok': '{name} zeigt auf {host}:{port}, einen Submission-Server auf einem Submission-Port',
  'p4.srv-smtp-port': '{name} zeigt auf {host}:{port}: Port {port} ist der SMTP-Relais-Port, nicht Submission',
  'p4.srv-other-port': '{name} zeigt auf {host}:{port}, keinen Submission-Port',
  'p4.srv-unknown-target': '{name} zeigt auf {host}, keinen der Submission-Server des Plans',
  'p4.srv-not-published': 'kein SRV-Eintrag {name} veröffentlicht ({code})',
  'p4.srv-unavailable': '{name} meldet den Dienst als nicht verfügbar (Ziel „.“)',
  'p4.srv-dns-error': 'die SRV-Abfrage von {name} schlug fehl ({code}) beim Resolver {resolver}: die Sonde konnte nicht ausgeführt werden',
  'p4.autoconfig-ok': '{url}: Postausgangsserver {host}:{port} ({socketType}) mit Authentisierung',
  'p4.autoconfig-smtp-port': '{url}: Postausgangsserver {host} liegt auf Port {port}, dem SMTP-Relais-Port, nicht Submission',
  'p4.autoconfig-no-auth': '{url}: Postausgangsserver {host}:{port} ist ohne Authentisierung konfiguriert',
  'p4.autoconfig-cleartext-password':
    '{url}: Postausgangsserver {host}:{port} sendet das Passwort im Klartext (password-cleartext über eine unverschlüsselte Verbindung)',
  'p4.autoconfig-other-port': '{url}: Postausgangsserver {host} liegt auf Port {port}, keinem Submission-Port',
  'p4.autoconfig-no-tls': '{url}: Postausgangsserver {host}:{port} verwendet kein TLS (socketType plain)',
  'p4.autoconfig-socket-mismatch': '{url}: Postausgangsserver {host}:{port} hat socketType {socketType}, Port {port} erwartet aber {expected}',
  'p4.autoconfig-unknown-host': '{url}: Postausgangsserver {host} ist keiner der Submission-Server des Plans',
  'p4.autoconfig-no-port': '{url}: Postausgangsserver {host} nennt keinen gültigen Port ({port})',
  'p4.autoconfig-no-outgoing': '{url} nennt keinen SMTP-Postausgangsserver',
  'p4.autoconfig-malformed': '{url} ist kein gültiges Autoconfig-Dokument: {reason}',
  'p4.autoconfig-fetch-failed': '{url} konnte nicht abgerufen werden: {reason}',
  'p4.autoconfig-redirect-refused': '{url}: {reason}',
  'p4.autoconfig-http-status': '{url} antwortete mit HTTP {status}: kein Autoconfig-Dokument',
  'p4.autoconfig-not-published': 'keine Autoconfig unter {url} ({reason})',
  'p4.autoconfig-no-host': '{name} lässt sich nicht auflösen ({code}): dort ist keine Autoconfig veröffentlicht',
};

/** The `{name}` placeholders of a template, sorted, for comparing translations. */
export function placeholders(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(/\{(\w+)\}/g), (match) => match[1] ?? ''))].sort();
}

// Params that are words of a closed vocabulary are translated; everything else is data and stays as sent.
function localizedParam(name: string, value: string | number, lang: Lang): string {
  const text = uiText(lang);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value).replace('.', text.decimal);
  if (name === 'outcome' && Object.hasOwn(text.outcome, value)) return text.outcome[value as keyof typeof text.outcome];
  if (name === 'vantage' && Object.hasOwn(text.vantage, value)) return text.vantage[value as keyof typeof text.vantage];
  if (name.endsWith('Percent') && /^\d+\.\d+$/.test(value)) return value.replace('.', text.decimal);
  // The one English word the checks put into a param themselves (p4.attested without a name).
  if (lang === 'de' && name === 'who' && value === 'the auditor') return 'den Auditor';
  return value;
}

/**
 * A check's summary in the reader's language: English is the result's own
 * summary; German renders the message id's template, and falls back to the
 * English summary for an id it does not know or a result without a message.
 */
export function localizedSummary(check: Pick<CheckResult, 'summary' | 'message'>, lang: Lang): string {
  if (lang === 'en' || check.message === undefined) return check.summary;
  const template = MESSAGES_DE[check.message.id];
  if (template === undefined) return check.summary;
  const params = check.message.params ?? {};
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? localizedParam(name, params[name] as string | number, lang) : whole,
  );
}
