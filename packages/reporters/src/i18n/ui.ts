/**
 * Every fixed text of the HTML report and the terminal table, in English and
 * German. The German follows the wording of the seed document (the MAAWG
 * paper's German translation): "Authentisierung", "E-Mailversand", "Relais".
 */
import type { Status, VantageKind } from '@port25-audit/core';

/** Languages of `--lang`. */
export type Lang = 'en' | 'de';

/** The `--lang` words, for the CLI's choices. */
export const LANGS: readonly Lang[] = ['en', 'de'];

/** One language's texts; the type makes a missing German text a compile error. */
export interface UiText {
  /** Badge and table word per status. */
  status: Record<Status, string>;
  /** The same in running text ("3 pass, 1 fail"), lower case where the language wants it. */
  statusCount: Record<Status, string>;
  vantage: Record<VantageKind | 'any', string>;
  /** TCP outcome words of DESIGN.md, for P6 counts and translated message params. */
  outcome: Record<'open' | 'closed' | 'filtered' | 'unreachable' | 'error', string>;
  documentTitle: (plan: string) => string;
  eyebrow: string;
  heading: (plan: string) => string;
  skipToChecklist: string;
  summary: string;
  plan: string;
  planDigest: string;
  tool: string;
  generated: string;
  overall: string;
  practicesLine: (counts: string) => string;
  checkResultsCaption: string;
  resultColumn: string;
  numberColumn: string;
  vantages: string;
  noVantages: string;
  vantageColumns: { kind: string; label: string; host: string; started: string; finished: string; shards: string; complete: string };
  notFinished: string;
  yes: string;
  incomplete: string;
  scanIncomplete: string;
  checklist: string;
  checklistIntro: string;
  recommendationSource: (item: number) => string;
  address: string;
  port: string;
  family: string;
  greeting: string;
  references: string;
  howTested: string;
  noChecks: string;
  target: string;
  vantageLabel: string;
  finding: string;
  whatToDo: string;
  evidence: string;
  noEvidence: string;
  checkId: string;
  empty: string;
  /** After the first `shown` items of a long evidence list (a certificate's thousands of names): how many more there are. */
  moreItems: (shown: number, total: number) => string;
  /** P6 in words: the one-sided 95 % upper bound on the fraction of the range that accepts the port. */
  inboundBound: (percent: string, port: number) => string;
  inboundCensus: (open: number, total: number, port: number) => string;
  inboundSampled: (open: number, total: number, port: number) => string;
  inboundNoSample: string;
  inboundOpenHosts: string;
  inboundMoreOpen: (shown: number, total: number) => string;
  inboundCounts: string;
  footer: (tool: string, digest: string) => string;
  tableColumns: { practice: string; status: string; checks: string; worst: string; check: string; target: string; finding: string };
  tableOverall: (status: string, counts: string) => string;
  tableAllPass: (n: number) => string;
  tableNothingTested: string;
  /** Formats a count for running text. */
  number: (n: number) => string;
  /** Decimal separator of the language. */
  decimal: string;
}

const integer = (locale: string) => (n: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(n);

export const en: UiText = {
  status: { pass: 'Pass', warn: 'Warning', fail: 'Fail', error: 'Error', skip: 'Not tested' },
  statusCount: { pass: 'pass', warn: 'warning', fail: 'fail', error: 'error', skip: 'not tested' },
  vantage: { inside: 'inside (customer network)', outside: 'outside (Internet)', any: 'any' },
  outcome: { open: 'open', closed: 'closed', filtered: 'filtered', unreachable: 'unreachable', error: 'error' },
  documentTitle: (plan) => `Port 25 audit: ${plan}`,
  eyebrow: 'MAAWG port 25 practices · compliance report',
  heading: (plan) => `Port 25 audit: ${plan}`,
  skipToChecklist: 'Skip to the checklist',
  summary: 'Summary',
  plan: 'Audit plan',
  planDigest: 'Plan digest',
  tool: 'Tool',
  generated: 'Report generated',
  overall: 'Overall result',
  practicesLine: (counts) => `Practices: ${counts}`,
  checkResultsCaption: 'Check results by status',
  resultColumn: 'Result',
  numberColumn: 'Checks',
  vantages: 'Vantage points',
  noVantages: 'No scan file was merged into this report.',
  vantageColumns: { kind: 'Vantage', label: 'Label', host: 'Scanned from', started: 'Started', finished: 'Finished', shards: 'Shards', complete: 'Complete' },
  notFinished: 'not finished',
  yes: 'yes',
  incomplete: 'no: a scan file was interrupted, results may be missing',
  scanIncomplete: 'incomplete: a scan file was interrupted, results may be missing',
  checklist: 'Checklist',
  checklistIntro: 'The six practices of the MAAWG paper, each decided by the worst of its checks. “Not tested” is never counted as a pass.',
  recommendationSource: (item) =>
    `MAAWG, “Managing Port 25 for Residential or Dynamic IP Space: Benefits of Adoption and Risks of Inaction” (2005), Best Practices, item ${item}`,
  address: 'Address',
  port: 'Port',
  family: 'Family',
  greeting: 'Greeting',
  references: 'References',
  howTested: 'How it is tested',
  noChecks: 'No check results for this practice.',
  target: 'Target',
  vantageLabel: 'Vantage',
  finding: 'Finding',
  whatToDo: 'What to do',
  evidence: 'Evidence',
  noEvidence: 'No further evidence was recorded.',
  checkId: 'Check id',
  empty: '(empty)',
  moreItems: (shown, total) => `… and ${total - shown} more (${total} in all: the JSON report lists every one)`,
  inboundBound: (percent, port) => `With 95% confidence, fewer than ${percent}% of the range accepts inbound port ${port}.`,
  inboundCensus: (open, total, port) => `Every address in scope was probed: ${open} of ${total} accept inbound port ${port}.`,
  inboundSampled: (open, total, port) => `${open} of ${total} sampled addresses accepted a connection on port ${port}.`,
  inboundNoSample: 'No sampled address could be tested, so nothing can be said about the range.',
  inboundOpenHosts: 'Hosts that accepted the connection',
  inboundMoreOpen: (shown, total) => `The first ${shown} of ${total} open hosts are listed.`,
  inboundCounts: 'Sampled addresses by outcome',
  footer: (tool, digest) => `Generated by ${tool} from scan files of the plan with digest ${digest}. Everything a scanned host sent is shown as text, never interpreted.`,
  tableColumns: { practice: 'Practice', status: 'Status', checks: 'Checks', worst: 'Worst finding', check: 'Check', target: 'Target', finding: 'Finding' },
  tableOverall: (status, counts) => `Overall: ${status} (${counts})`,
  tableAllPass: (n) => (n === 1 ? 'the one check passes' : `all ${n} checks pass`),
  tableNothingTested: 'nothing tested',
  number: integer('en-US'),
  decimal: '.',
};

export const de: UiText = {
  status: { pass: 'Erfüllt', warn: 'Warnung', fail: 'Nicht erfüllt', error: 'Fehler', skip: 'Nicht geprüft' },
  statusCount: { pass: 'erfüllt', warn: 'Warnung', fail: 'nicht erfüllt', error: 'Fehler', skip: 'nicht geprüft' },
  vantage: { inside: 'innen (Kundennetz)', outside: 'aussen (Internet)', any: 'beliebig' },
  outcome: { open: 'offen', closed: 'geschlossen', filtered: 'gefiltert', unreachable: 'unerreichbar', error: 'fehlerhaft' },
  documentTitle: (plan) => `Port-25-Audit: ${plan}`,
  eyebrow: 'MAAWG-Arbeitsweisen für Port 25 · Prüfbericht',
  heading: (plan) => `Port-25-Audit: ${plan}`,
  skipToChecklist: 'Zur Checkliste springen',
  summary: 'Zusammenfassung',
  plan: 'Auditplan',
  planDigest: 'Prüfsumme des Plans',
  tool: 'Werkzeug',
  generated: 'Bericht erstellt',
  overall: 'Gesamtergebnis',
  practicesLine: (counts) => `Arbeitsweisen: ${counts}`,
  checkResultsCaption: 'Prüfergebnisse nach Status',
  resultColumn: 'Ergebnis',
  numberColumn: 'Prüfungen',
  vantages: 'Messstandorte',
  noVantages: 'In diesen Bericht wurde keine Scan-Datei übernommen.',
  vantageColumns: { kind: 'Standort', label: 'Bezeichnung', host: 'Gescannt von', started: 'Beginn', finished: 'Ende', shards: 'Teile', complete: 'Vollständig' },
  notFinished: 'nicht beendet',
  yes: 'ja',
  incomplete: 'nein: eine Scan-Datei wurde unterbrochen, Ergebnisse können fehlen',
  scanIncomplete: 'unvollständig: eine Scan-Datei wurde unterbrochen, Ergebnisse können fehlen',
  checklist: 'Checkliste',
  checklistIntro: 'Die sechs Arbeitsweisen des MAAWG-Papiers, jede bewertet nach der schlechtesten ihrer Prüfungen. „Nicht geprüft“ zählt nie als erfüllt.',
  recommendationSource: (item) =>
    `MAAWG, „Port 25-Management im dynamischen IP-Netzbereich: Nutzen der Einführung – Risiken bei Untätigkeit“, „Best Practices“ für den E-Mailversand, Punkt ${item}`,
  address: 'Adresse',
  port: 'Port',
  family: 'Protokoll',
  greeting: 'Begrüssung',
  references: 'Referenzen',
  howTested: 'Wie geprüft wird',
  noChecks: 'Für diese Arbeitsweise liegen keine Prüfergebnisse vor.',
  target: 'Ziel',
  vantageLabel: 'Standort',
  finding: 'Befund',
  whatToDo: 'Was zu tun ist',
  evidence: 'Nachweise',
  noEvidence: 'Es wurden keine weiteren Nachweise aufgezeichnet.',
  checkId: 'Prüfungs-ID',
  empty: '(leer)',
  moreItems: (shown, total) => `… und ${total - shown} weitere (${total} insgesamt: der JSON-Bericht führt alle auf)`,
  inboundBound: (percent, port) =>
    `Mit 95 % Konfidenz nehmen weniger als ${percent} % des Bereichs eingehende Verbindungen auf Port ${port} an.`,
  inboundCensus: (open, total, port) =>
    `Jede Adresse im Geltungsbereich wurde geprüft: ${open} von ${total} nehmen eingehende Verbindungen auf Port ${port} an.`,
  inboundSampled: (open, total, port) => `${open} von ${total} Adressen der Stichprobe nahmen eine Verbindung auf Port ${port} an.`,
  inboundNoSample: 'Keine Adresse der Stichprobe konnte geprüft werden; über den Bereich lässt sich nichts sagen.',
  inboundOpenHosts: 'Hosts, die die Verbindung annahmen',
  inboundMoreOpen: (shown, total) => `Aufgeführt sind die ersten ${shown} von ${total} offenen Hosts.`,
  inboundCounts: 'Adressen der Stichprobe nach Ergebnis',
  footer: (tool, digest) =>
    `Erstellt von ${tool} aus Scan-Dateien des Plans mit der Prüfsumme ${digest}. Alles, was ein gescannter Host sandte, wird als Text gezeigt und nie ausgeführt.`,
  tableColumns: { practice: 'Arbeitsweise', status: 'Status', checks: 'Prüfungen', worst: 'Schlechtester Befund', check: 'Prüfung', target: 'Ziel', finding: 'Befund' },
  tableOverall: (status, counts) => `Gesamt: ${status} (${counts})`,
  tableAllPass: (n) => (n === 1 ? 'die einzige Prüfung ist erfüllt' : `alle ${n} Prüfungen erfüllt`),
  tableNothingTested: 'nichts geprüft',
  number: integer('de-DE'),
  decimal: ',',
};

/** The texts of one language. */
export function uiText(lang: Lang): UiText {
  return lang === 'de' ? de : en;
}
