/**
 * Golden outputs: every format rendered from the fixture reports and compared
 * byte for byte with fixtures/reports/*.golden.*, so that any change to a
 * format shows up as a diff in review. The JSON goldens are the fixture files
 * themselves (json.test.ts).
 *
 * After an intended change, rewrite the goldens and review the diff:
 *
 *   UPDATE_GOLDEN=1 npx mocha 'test/reporters/golden.test.ts'
 *   git diff fixtures/reports/
 *
 * The clock is fixed: a report carries its own `generatedAt`, and rendering
 * runs with a `Date` that refuses to tell the time and in a far-off time zone,
 * so a reporter that reads the clock or the local zone fails here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { renderHtml, renderJunit, renderTable } from '@port25-audit/reporters';
import { loadReport, REPORTS_DIR, type FixtureName } from './report-fixtures.js';

const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

interface Golden {
  fixture: FixtureName;
  /** Suffix after `<fixture>.golden.`; the extension says the format. */
  variant: string;
  render: (report: ReturnType<typeof loadReport>) => string;
}

const GOLDENS: Golden[] = [
  { fixture: 'mixed', variant: 'junit.xml', render: (r) => renderJunit(r) },
  { fixture: 'mixed', variant: 'junit-fail-on-warn.xml', render: (r) => renderJunit(r, { failOn: 'warn' }) },
  { fixture: 'mixed', variant: 'en.html', render: (r) => renderHtml(r, { lang: 'en' }) },
  { fixture: 'mixed', variant: 'de.html', render: (r) => renderHtml(r, { lang: 'de' }) },
  { fixture: 'mixed', variant: 'en.txt', render: (r) => renderTable(r, { lang: 'en' }) },
  { fixture: 'mixed', variant: 'en-color.txt', render: (r) => renderTable(r, { lang: 'en', color: true }) },
  { fixture: 'mixed', variant: 'de-verbose.txt', render: (r) => renderTable(r, { lang: 'de', verbose: true }) },
  { fixture: 'hostile', variant: 'junit.xml', render: (r) => renderJunit(r) },
  { fixture: 'hostile', variant: 'en.html', render: (r) => renderHtml(r, { lang: 'en' }) },
  { fixture: 'hostile', variant: 'en-verbose.txt', render: (r) => renderTable(r, { lang: 'en', verbose: true }) },
  { fixture: 'compliant', variant: 'junit.xml', render: (r) => renderJunit(r) },
  { fixture: 'compliant', variant: 'en.txt', render: (r) => renderTable(r, { lang: 'en' }) },
  { fixture: 'untested', variant: 'de.html', render: (r) => renderHtml(r, { lang: 'de' }) },
  { fixture: 'untested', variant: 'de.txt', render: (r) => renderTable(r, { lang: 'de' }) },
];

/** Runs `render` with a Date that throws when asked for the current time, in the UTC+12:45 zone. */
function withFixedClock<T>(render: () => T): T {
  const RealDate = globalThis.Date;
  class NoClockDate extends RealDate {
    constructor(...args: ConstructorParameters<typeof Date> | []) {
      if (args.length === 0) throw new Error('a reporter read the clock: use report.generatedAt');
      super(...(args as ConstructorParameters<typeof Date>));
    }
    static override now(): number {
      throw new Error('a reporter read the clock: use report.generatedAt');
    }
  }
  const zone = process.env['TZ'];
  globalThis.Date = NoClockDate as DateConstructor;
  process.env['TZ'] = 'Pacific/Chatham';
  try {
    return render();
  } finally {
    globalThis.Date = RealDate;
    if (zone === undefined) delete process.env['TZ'];
    else process.env['TZ'] = zone;
  }
}

describe('reporters: golden outputs (UPDATE_GOLDEN=1 rewrites them)', () => {
  for (const golden of GOLDENS) {
    const file = `${golden.fixture}.golden.${golden.variant}`;
    it(file, () => {
      const text = withFixedClock(() => golden.render(loadReport(golden.fixture)));
      const path = join(REPORTS_DIR, file);
      if (UPDATE) writeFileSync(path, text);
      expect(text === readFileSync(path, 'utf8'), `${file} differs from its golden: run UPDATE_GOLDEN=1 and review git diff`).to.equal(true);
    });
  }

  it('notices a reporter that reads the clock', () => {
    expect(() => withFixedClock(() => new Date().toISOString())).to.throw(/read the clock/);
    expect(() => withFixedClock(() => Date.now())).to.throw(/read the clock/);
    expect(withFixedClock(() => new Date('2025-03-01T09:00:00Z').toISOString())).to.equal('2025-03-01T09:00:00.000Z');
  });
});
