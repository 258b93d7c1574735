/**
 * How much of a range may accept port 25 when only a sample was probed.
 * P6 reports the one-sided 95% Clopper–Pearson upper bound on that fraction.
 */
import { createRequire } from 'node:module';
import type betaQuantileFunction from '@stdlib/stats-base-dists-beta-quantile';

/**
 * The beta quantile, loaded on first use: @stdlib's incomplete-beta inverse is
 * ~60 CommonJS modules (about 0.5 s to load on 2 cores), which every command
 * of the CLI paid at start-up although only a P6 bound needs them.
 */
let betaQuantile: typeof betaQuantileFunction | undefined;

function quantile(p: number, alpha: number, beta: number): number {
  betaQuantile ??= createRequire(import.meta.url)('@stdlib/stats-base-dists-beta-quantile') as typeof betaQuantileFunction;
  return betaQuantile(p, alpha, beta);
}

/**
 * One-sided 95% Clopper–Pearson upper confidence bound on a proportion:
 * with `x` successes out of `n` trials it is the 0.95 quantile of Beta(x + 1, n − x).
 * `x = n` gives 1 (nothing bounds it below certainty); `n = 0` gives null (no evidence).
 * With x = 0 this is the exact "rule of three" bound 1 − 0.05^(1/n).
 *
 * @example
 * clopperPearsonUpper95(0, 299) // ≈ 0.00997
 * clopperPearsonUpper95(1, 100) // ≈ 0.0466
 */
export function clopperPearsonUpper95(x: number, n: number): number | null {
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(n) || x < 0 || n < 0 || x > n) {
    throw new RangeError(`Clopper–Pearson needs integers 0 <= x <= n, got x=${x} n=${n}`);
  }
  if (n === 0) return null;
  if (x === n) return 1;
  return quantile(0.95, x + 1, n - x);
}

/** The bound P6 reports, and what it means. */
export interface InboundBound {
  /** Fraction 0..1 of the range that may accept port 25, or null when nothing was tested. */
  upperBound95: number | null;
  /** True when every address in scope was probed: the fraction is exact, not estimated. */
  census: boolean;
  /** One English sentence for the evidence, saying what the number is a bound on. */
  note: string;
}

/**
 * The P6 bound for `open` hosts out of `tested` (hosts whose probe ran, i.e.
 * not `error`), given the number of addresses in scope when known.
 * Sampling is without replacement from a finite range, so the binomial
 * Clopper–Pearson bound is conservative (the hypergeometric one is tighter);
 * when the sample is the whole range (a census) the exact fraction open/tested is known.
 *
 * @example
 * inboundBound({ open: 0, tested: 256, universe: 256n }) // { upperBound95: 0, census: true, ... }
 */
export function inboundBound(input: { open: number; tested: number; universe: bigint | number | null }): InboundBound {
  const { open, tested } = input;
  const universe = input.universe === null ? null : BigInt(input.universe);
  if (universe !== null && tested > 0 && BigInt(tested) === universe) {
    return {
      upperBound95: open / tested,
      census: true,
      note: `census: all ${tested} addresses in scope were probed, so the fraction that accepts port 25 is exactly ${open}/${tested}`,
    };
  }
  const upperBound95 = clopperPearsonUpper95(open, tested);
  if (upperBound95 === null) {
    return { upperBound95: null, census: false, note: 'no host was tested, so there is no bound' };
  }
  const of = universe === null ? 'the range' : `the ${universe} addresses in scope`;
  return {
    upperBound95,
    census: false,
    note:
      `one-sided 95% Clopper–Pearson upper bound on the fraction of ${of} that accepts port 25, ` +
      `from ${open} open of ${tested} sampled hosts whose probe ran; conservative for sampling without replacement`,
  };
}
