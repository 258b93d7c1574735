import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { CHECK_IDS, MESSAGES, PRACTICE_IDS, PRACTICES } from '@port25-audit/core';
import { CHECK_TEXT, checkTitle, localizedSummary, MESSAGES_DE, placeholders, PRACTICE_TEXT, remedyFor, uiText } from '@port25-audit/reporters';
import { IN_CI, REPO_ROOT } from './report-fixtures.js';

// The seed document (the MAAWG paper's German translation) lies in shared/ beside the repository.
const SEED = join(REPO_ROOT, '..', 'shared', 'seeds', '000_674ebc81a9f777fd.txt');

/** The seed as one line: words hyphenated across a line break joined, whitespace collapsed. */
function seedText(): string {
  return readFileSync(SEED, 'utf8').replace(/-\s*\n\s*/g, '').replace(/\s+/g, ' ');
}

describe('reporters: English and German', () => {
  describe('check summaries (message ids of the core catalogue)', () => {
    const ids = Object.keys(MESSAGES) as (keyof typeof MESSAGES)[];

    it('has a German template for every message id the checks define', () => {
      const missing = ids.filter((id) => MESSAGES_DE[id] === undefined);
      expect(missing, 'message ids without German: add them to packages/reporters/src/i18n/messages.ts').to.deep.equal([]);
    });

    it('keeps the placeholders of every English template', () => {
      for (const id of ids) expect(placeholders(MESSAGES_DE[id] ?? ''), id).to.deep.equal(placeholders(MESSAGES[id]));
    });

    it('has no German template for an id the checks do not define (a renamed id would go stale)', () => {
      expect(Object.keys(MESSAGES_DE).filter((id) => !Object.hasOwn(MESSAGES, id))).to.deep.equal([]);
    });

    it('renders German with translated outcome and vantage words, data unchanged', () => {
      const message = { id: 'p5.blocked', params: { port: 25, outcome: 'filtered' } };
      expect(localizedSummary({ summary: 'port 25 is filtered: outbound SMTP is blocked', message }, 'de')).to.equal(
        'Port 25 ist gefiltert: ausgehendes SMTP ist gesperrt',
      );
      expect(localizedSummary({ summary: 'x', message: { id: 'skip.no-vantage-scan', params: { vantage: 'inside' } } }, 'de')).to.equal(
        'nicht geprüft: kein Scan vom Standort innen (Kundennetz)',
      );
      expect(localizedSummary({ summary: 'x', message: { id: 'p4.attested', params: { who: '<b>Eve</b>' } } }, 'de')).to.equal(
        'die Client-Konfiguration ist bestätigt durch <b>Eve</b>',
      );
    });

    it('writes German decimals with a comma', () => {
      const message = { id: 'p6.none-open', params: { sampled: 256, port: 25, upperBoundPercent: 1.17 } };
      expect(localizedSummary({ summary: 'x', message }, 'de')).to.include('höchstens 1,17 % des Bereichs');
    });

    it('falls back to the English summary for an unknown id or a result without a message', () => {
      expect(localizedSummary({ summary: 'AUTH PLAIN offered before STARTTLS', message: { id: 'p2.future-id' } }, 'de')).to.equal(
        'AUTH PLAIN offered before STARTTLS',
      );
      expect(localizedSummary({ summary: 'plain English' }, 'de')).to.equal('plain English');
      expect(localizedSummary({ summary: 'as the check wrote it', message: { id: 'p5.blocked', params: { port: 25 } } }, 'en')).to.equal(
        'as the check wrote it',
      );
    });

    it('leaves a placeholder without its param visible rather than guessing', () => {
      expect(localizedSummary({ summary: 'x', message: { id: 'p5.blocked', params: { port: 25 } } }, 'de')).to.equal(
        'Port 25 ist {outcome}: ausgehendes SMTP ist gesperrt',
      );
    });
  });

  describe('checks', () => {
    it('has a German title and what-to-do in both languages for every check id', () => {
      for (const id of CHECK_IDS) {
        const text = CHECK_TEXT[id];
        expect(text, id).to.not.equal(undefined);
        expect(text!.titleDe, id).to.match(/\S/);
        expect(text!.remedy.en, id).to.match(/\S/);
        expect(text!.remedy.de, id).to.match(/\S/);
        expect(text!.remedy.de, id).to.not.equal(text!.remedy.en);
        expect(checkTitle(id, 'de')).to.equal(text!.titleDe);
        expect(checkTitle(id, 'en')).to.not.equal(id);
      }
      expect(Object.keys(CHECK_TEXT).filter((id) => !(CHECK_IDS as readonly string[]).includes(id))).to.deep.equal([]);
    });

    it('tells what to do about fail, warn and error, and nothing about pass and skip', () => {
      for (const lang of ['en', 'de'] as const) {
        expect(remedyFor({ id: 'P1.certificate', status: 'fail' }, lang)).to.equal(CHECK_TEXT['P1.certificate']!.remedy[lang]);
        expect(remedyFor({ id: 'P1.certificate', status: 'warn' }, lang)).to.equal(CHECK_TEXT['P1.certificate']!.warn![lang]);
        expect(remedyFor({ id: 'P2.relay-refused', status: 'warn' }, lang)).to.equal(CHECK_TEXT['P2.relay-refused']!.remedy[lang]);
        expect(remedyFor({ id: 'P3.outbound-587', status: 'error' }, lang)).to.match(/scan|scannen/);
        expect(remedyFor({ id: 'P1.certificate', status: 'pass' }, lang)).to.equal(null);
        expect(remedyFor({ id: 'P1.certificate', status: 'skip' }, lang)).to.equal(null);
        expect(remedyFor({ id: 'P9.unknown', status: 'fail' }, lang)).to.match(/\S/);
      }
    });
  });

  describe('practices', () => {
    it('has the MAAWG statement, the German title and how it is tested for every practice', () => {
      for (const id of PRACTICE_IDS) {
        const text = PRACTICE_TEXT[id];
        for (const value of [text.titleDe, text.statement.en, text.statement.de, text.howTested.en, text.howTested.de]) {
          expect(value, id).to.match(/\S/);
        }
      }
      expect(PRACTICES.map((practice) => practice.id)).to.deep.equal(Object.keys(PRACTICE_TEXT));
    });

    it('quotes the German statements verbatim from the seed document, and titles follow its wording', function () {
      if (!existsSync(SEED)) {
        if (IN_CI) throw new Error(`seed document missing: ${SEED}`);
        this.skip();
      }
      const seed = seedText();
      for (const id of PRACTICE_IDS) expect(seed, id).to.include(PRACTICE_TEXT[id].statement.de);
      const titleWords: Record<string, string[]> = {
        P1: ['E-Mailversand', 'Port 587', 'RFC 2476'],
        P2: ['Authentisierung', 'E-Mailversand', 'RFC 2554'],
        P3: ['Outbound', 'Konnektivität', '587'],
        P4: ['E-Mail-Client-Software', 'Port 587', 'Authentisierung'],
        P5: ['Zugang zum Port 25', 'Hosts', 'SMTP-Relais'],
        P6: ['Port 25', 'eingehenden Verkehr'],
      };
      for (const [id, words] of Object.entries(titleWords)) {
        for (const word of words) expect(seed, `${id}: seed wording ${word}`).to.include(word);
        for (const word of words) expect(PRACTICE_TEXT[id as keyof typeof PRACTICE_TEXT].titleDe, id).to.include(word);
      }
    });
  });

  it('has every fixed text in both languages, none empty', () => {
    const en = uiText('en') as unknown as Record<string, unknown>;
    const de = uiText('de') as unknown as Record<string, unknown>;
    expect(Object.keys(de).sort()).to.deep.equal(Object.keys(en).sort());
    const walk = (value: unknown, path: string): void => {
      if (typeof value === 'string') expect(value, path).to.not.equal('');
      else if (typeof value === 'function') expect(String((value as (...a: unknown[]) => unknown)(1, 2, 3)), path).to.match(/\S/);
      else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    };
    walk(de, 'de');
    walk(en, 'en');
    expect(uiText('de').status.fail).to.equal('Nicht erfüllt');
    expect(uiText('de').inboundBound('1,2', 25)).to.equal(
      'Mit 95 % Konfidenz nehmen weniger als 1,2 % des Bereichs eingehende Verbindungen auf Port 25 an.',
    );
  });
});
