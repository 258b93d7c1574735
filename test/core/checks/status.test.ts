import { expect } from 'chai';
import { countStatuses, worstStatus, type Status } from '@port25-audit/core';

describe('status rules', () => {
  it('takes the worst: fail > error > warn > pass', () => {
    expect(worstStatus(['pass', 'warn', 'error', 'fail'])).to.equal('fail');
    expect(worstStatus(['pass', 'warn', 'error'])).to.equal('error');
    expect(worstStatus(['warn', 'pass'])).to.equal('warn');
    expect(worstStatus(['pass', 'pass'])).to.equal('pass');
  });

  it('never lets skip hide or count as a tested result', () => {
    expect(worstStatus(['skip', 'pass', 'skip'])).to.equal('pass');
    expect(worstStatus(['skip', 'warn'])).to.equal('warn');
  });

  it('is skip only when every status is skip, or there is none', () => {
    expect(worstStatus(['skip', 'skip'])).to.equal('skip');
    expect(worstStatus([])).to.equal('skip');
  });

  it('does not depend on order', () => {
    const statuses: Status[] = ['pass', 'skip', 'error', 'warn'];
    expect(worstStatus([...statuses].reverse())).to.equal(worstStatus(statuses));
  });

  it('counts every status, zeros included', () => {
    const results = (['pass', 'pass', 'skip', 'fail'] as Status[]).map((status) => ({ status }));
    expect(countStatuses(results)).to.deep.equal({ pass: 2, warn: 0, fail: 1, skip: 1, error: 0 });
  });
});
