import { expect } from 'chai';
import type { PracticeId, Report, Status } from '@port25-audit/core';
import { exitCodeFor, type FailOn } from '@port25-audit/reporters';
import { loadReport } from './report-fixtures.js';

const IDS: PracticeId[] = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'];

/** A report whose practices have these statuses (checks do not matter to the exit code). */
function reportWith(...statuses: Status[]): Report {
  const base = loadReport('compliant');
  return { ...base, practices: base.practices.map((practice, index) => ({ ...practice, id: IDS[index]!, status: statuses[index] ?? 'pass' })) };
}

describe('reporters: exitCodeFor (DESIGN "Exit codes")', () => {
  const cases: Array<[Status, FailOn, boolean, 0 | 1]> = [
    ['pass', 'fail', false, 0],
    ['pass', 'warn', true, 0],
    ['fail', 'fail', false, 1],
    ['fail', 'warn', false, 1],
    ['fail', 'never', false, 0],
    ['error', 'fail', false, 1],
    ['error', 'never', true, 0],
    ['warn', 'fail', false, 0],
    ['warn', 'warn', false, 1],
    ['warn', 'never', false, 0],
    ['skip', 'fail', false, 0],
    ['skip', 'warn', false, 0],
    ['skip', 'fail', true, 1],
    ['skip', 'warn', true, 1],
    ['skip', 'never', true, 0],
  ];
  for (const [status, failOn, requireTested, code] of cases) {
    it(`one ${status} practice, --fail-on ${failOn}${requireTested ? ' --require-tested' : ''} → ${code}`, () => {
      expect(exitCodeFor(reportWith('pass', status, 'pass'), { failOn, requireTested })).to.equal(code);
    });
  }

  it('defaults to --fail-on fail without --require-tested', () => {
    expect(exitCodeFor(reportWith('warn', 'skip'))).to.equal(0);
    expect(exitCodeFor(reportWith('warn', 'error'))).to.equal(1);
  });

  it('decides the fixture reports as a CI gate would', () => {
    expect(exitCodeFor(loadReport('compliant'))).to.equal(0);
    expect(exitCodeFor(loadReport('mixed'))).to.equal(1);
    expect(exitCodeFor(loadReport('untested'))).to.equal(0);
    expect(exitCodeFor(loadReport('untested'), { requireTested: true })).to.equal(1);
    expect(exitCodeFor(loadReport('mixed'), { failOn: 'never' })).to.equal(0);
  });
});
