import { expect } from 'chai';
import { renderTable, shouldColor } from '@port25-audit/reporters';
import { loadReport } from './report-fixtures.js';

const ANY_ESCAPE = /\u001b/;
// What chalk writes: SGR sequences only (ESC [ digits m).
const SGR = /\u001b\[[0-9;]*m/g;

/** The table's body rows: lines that start with the vertical border and a practice or check in the first cell. */
function firstCells(table: string): string[] {
  return table
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) => line.split('│')[1]!.trim())
    .filter((cell) => /^P\d( |\.)/.test(cell));
}

describe('reporters: renderTable', () => {
  it('has one row per practice with status, counts and the worst finding', () => {
    const table = renderTable(loadReport('mixed'), { lang: 'en', color: false });
    expect(firstCells(table).map((cell) => cell.slice(0, 2))).to.deep.equal(['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
    const lines = table.split('\n');
    const p5 = lines.findIndex((line) => line.includes('P5 Block port 25'));
    const p5Rows = lines.slice(p5, p5 + 5).join('\n');
    expect(p5Rows).to.include('✗ Fail');
    expect(p5Rows).to.include('2 pass, 1 warning,');
    expect(p5Rows).to.include('mx.example.org:25');
    expect(p5Rows).to.include('(2001:db8:25::25): port 25');
    expect(table).to.include('Overall: ✗ Fail (12 pass, 4 warning, 4 fail, 1 error, 2 not tested)');
    expect(table).to.include('Port 25 audit: Example ISP');
  });

  it('adds one row per check when verbose', () => {
    const report = loadReport('mixed');
    const cells = firstCells(renderTable(report, { verbose: true }));
    const checks = report.practices.flatMap((practice) => practice.checks.map((check) => check.id));
    expect(cells.filter((cell) => cell.startsWith('P') && cell.includes('.'))).to.deep.equal(checks);
    expect(cells).to.have.length(6 + checks.length);
  });

  it('says "all checks pass" for a passing practice', () => {
    const table = renderTable(loadReport('compliant'), {});
    expect(table).to.include('all 6 checks pass');
    expect(table).to.include('Overall: ✓ Pass');
  });

  it('speaks German with --lang de', () => {
    const table = renderTable(loadReport('mixed'), { lang: 'de', verbose: true });
    expect(table).to.include('Arbeitsweise / Prüfung');
    expect(table).to.include('✗ Nicht erfüllt');
    expect(table).to.include('P6 Über Port 25');
    expect(table).to.include('Port 25 ist gefiltert:');
    expect(table).to.include('Gesamt: ✗ Nicht erfüllt');
  });

  it('colours only when asked, and then with SGR sequences only', () => {
    const report = loadReport('mixed');
    const plain = renderTable(report, { color: false });
    const coloured = renderTable(report, { color: true });
    expect(plain).to.not.match(ANY_ESCAPE);
    expect(coloured).to.match(/\u001b\[31m/);
    expect(coloured.replace(SGR, '')).to.equal(plain);
  });

  it('strips escape sequences and control characters that hosts sent, coloured or not', () => {
    const report = loadReport('hostile');
    for (const color of [false, true]) {
      const table = renderTable(report, { verbose: true, color });
      const withoutOurs = table.replace(SGR, '');
      expect(withoutOurs, `color ${color}`).to.not.match(ANY_ESCAPE);
      expect(withoutOurs).to.not.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      expect(withoutOurs).to.not.match(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      expect(withoutOurs).to.include('probe.example.com');
      expect(withoutOurs).to.include('=HYPERLINK("http:');
    }
  });

  it('cuts an endless finding instead of flooding the terminal', () => {
    const report = loadReport('hostile');
    const p5 = report.practices[4]!;
    const longSummary = { ...report, practices: report.practices.map((p) => (p === p5 ? { ...p, checks: [{ ...p.checks[0]!, summary: 'Ж'.repeat(10000) }] } : p)) };
    const table = renderTable(longSummary, { verbose: true });
    // The practice row's worst finding and the check's row, each cut to 240 characters.
    expect((table.match(/Ж/g) ?? []).length).to.be.at.most(2 * 240);
    expect(table).to.include('…');
    for (const line of table.split('\n').filter((l) => /^[│┌├└]/.test(l))) expect(line.length, line).to.equal(100);
  });
});

describe('reporters: shouldColor', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it('colours a TTY', () => expect(shouldColor(tty, {})).to.equal(true));
  it('does not colour a pipe or a file', () => {
    expect(shouldColor(pipe, {})).to.equal(false);
    expect(shouldColor({}, {})).to.equal(false);
  });
  it('never colours with NO_COLOR set (no-color.org), even on a TTY or with FORCE_COLOR', () => {
    expect(shouldColor(tty, { NO_COLOR: '1' })).to.equal(false);
    expect(shouldColor(tty, { NO_COLOR: '1', FORCE_COLOR: '1' })).to.equal(false);
  });
  it('ignores an empty NO_COLOR, as no-color.org says', () => expect(shouldColor(tty, { NO_COLOR: '' })).to.equal(true));
  it('colours a pipe with FORCE_COLOR, not with FORCE_COLOR=0', () => {
    expect(shouldColor(pipe, { FORCE_COLOR: '1' })).to.equal(true);
    expect(shouldColor(tty, { FORCE_COLOR: '0' })).to.equal(false);
  });
  it('does not colour a dumb terminal', () => expect(shouldColor(tty, { TERM: 'dumb' })).to.equal(false));
});
