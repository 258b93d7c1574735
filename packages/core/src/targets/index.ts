/**
 * Targets of a plan: address ranges as integers, the sampling universe, the
 * seeded sample and its shards, and the scope predicate the dialer enforces.
 */
export {
  addressFamily,
  dottedQuadValue,
  formatAddress,
  inspectRange,
  parseAddress,
  parseRange,
  rangeContains,
  type AddressRange,
  type ParsedAddress,
  type RangeVerdict,
} from './addresses.js';
export type { AddressInterval } from './intervals.js';
export { createPermutation, type IndexPermutation, type PermutationArithmetic } from './permutation.js';
export { emptySampleReason, parseShard, sampleSize, sampleTargets, type Shard } from './sample.js';
export { createScope, type Scope } from './scope.js';
export { buildUniverse, type SampledTarget, type Universe, type UniverseFamily } from './universe.js';
