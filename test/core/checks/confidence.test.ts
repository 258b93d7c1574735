import { expect } from 'chai';
import { clopperPearsonUpper95, inboundBound } from '@port25-audit/core';

// Reference values: scipy.stats.beta.ppf(0.95, x + 1, n - x).
describe('Clopper–Pearson one-sided 95% upper bound', () => {
  it('0 of 299 is the exact rule-of-three bound 1 − 0.05^(1/299) ≈ 0.00997', () => {
    const bound = clopperPearsonUpper95(0, 299)!;
    expect(bound).to.be.closeTo(1 - 0.05 ** (1 / 299), 1e-12);
    expect(bound).to.be.closeTo(0.00997, 5e-6);
  });

  it('1 of 100 ≈ 0.046560', () => {
    expect(clopperPearsonUpper95(1, 100)).to.be.closeTo(0.046559811453538935, 1e-9);
  });

  it('5 of 1000 ≈ 0.010484', () => {
    expect(clopperPearsonUpper95(5, 1000)).to.be.closeTo(0.010484076911415651, 1e-9);
  });

  it('500 of 1,000,000 ≈ 0.00053837 (large samples stay accurate)', () => {
    expect(clopperPearsonUpper95(500, 1_000_000)).to.be.closeTo(0.0005383661633179478, 1e-12);
  });

  it('x = n gives 1 and n = 0 gives null', () => {
    expect(clopperPearsonUpper95(7, 7)).to.equal(1);
    expect(clopperPearsonUpper95(0, 0)).to.equal(null);
  });

  it('grows with x and shrinks with n', () => {
    expect(clopperPearsonUpper95(2, 100)!).to.be.greaterThan(clopperPearsonUpper95(1, 100)!);
    expect(clopperPearsonUpper95(1, 1000)!).to.be.lessThan(clopperPearsonUpper95(1, 100)!);
  });

  it('refuses impossible counts', () => {
    expect(() => clopperPearsonUpper95(3, 2)).to.throw(RangeError);
    expect(() => clopperPearsonUpper95(-1, 2)).to.throw(RangeError);
    expect(() => clopperPearsonUpper95(0.5, 2)).to.throw(RangeError);
  });
});

describe('inboundBound (finite population)', () => {
  it('is the exact fraction for a census', () => {
    expect(inboundBound({ open: 1, tested: 4, universe: 4n })).to.include({ upperBound95: 0.25, census: true });
    expect(inboundBound({ open: 0, tested: 256, universe: 256 })).to.include({ upperBound95: 0, census: true });
  });

  it('is the Clopper–Pearson bound for a sample, saying what it bounds', () => {
    const bound = inboundBound({ open: 0, tested: 299, universe: 65536n });
    expect(bound.census).to.equal(false);
    expect(bound.upperBound95).to.equal(clopperPearsonUpper95(0, 299));
    expect(bound.note).to.match(/65536 addresses in scope/).and.match(/without replacement/);
    expect(inboundBound({ open: 0, tested: 299, universe: null }).note).to.match(/the range/);
  });

  it('has no bound when nothing was tested', () => {
    expect(inboundBound({ open: 0, tested: 0, universe: 10n })).to.include({ upperBound95: null, census: false });
  });
});
