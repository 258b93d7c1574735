/**
 * A keyed pseudorandom permutation of `[0, domain)`, so that a sample without
 * replacement is "the first k positions" and nothing is ever enumerated or stored.
 *
 * Construction: a balanced Feistel network over the smallest even bit width that
 * covers the domain, with cycle walking (Black & Rogaway, "Ciphers with Arbitrary
 * Finite Domains", 2002) to stay inside `[0, domain)`. Round keys come from SHA-512
 * of the seed and the round function is 32-bit integer mixing (Math.imul, shifts),
 * so one seed gives one permutation on every machine and Node version: no
 * Math.random, no floating-point rounding.
 */
import { createHash } from 'node:crypto';

/** Arithmetic used to evaluate a permutation; `number` is exact while the domain fits in 52 bits. */
export type PermutationArithmetic = 'number' | 'bigint';

export interface IndexPermutation {
  readonly domain: bigint;
  readonly arithmetic: PermutationArithmetic;
  /** The index at a position; both in `[0, domain)`. */
  at(position: bigint): bigint;
  /** Same as `at`, in plain numbers; only when `arithmetic` is `number`. */
  atNumber(position: number): number;
}

const ROUNDS = 8;
/** Largest Feistel width evaluated with doubles: halves of ≤ 26 bits keep `L * 2^h + R` exact. */
const NUMBER_WIDTH_LIMIT = 52;
/** Version tag of the key schedule: changing it changes every sample, so golden tests pin it. */
const KEY_TAG = 'port25-audit/sample/v1';

/** 32-bit avalanche mixing ("lowbias32", C. Wellons, hash-prospector): a bijection on 32-bit words. */
function mix32(input: number): number {
  let x = input;
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

function roundKeys(seed: number): Uint32Array {
  const digest = createHash('sha512').update(`${KEY_TAG}/seed=${seed}`).digest();
  const keys = new Uint32Array(ROUNDS * 2);
  for (let i = 0; i < keys.length; i += 1) keys[i] = digest.readUInt32BE(i * 4);
  return keys;
}

function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/**
 * Creates the permutation of `[0, domain)` for a seed.
 *
 * @param options.arithmetic force an arithmetic (tests compare both); by default
 *   `number` when the domain fits in 52 bits, else `bigint`.
 * @example createPermutation(256n, 1).at(0n) // the first sampled index of a /24
 */
export function createPermutation(domain: bigint, seed: number, options: { arithmetic?: PermutationArithmetic } = {}): IndexPermutation {
  if (domain < 1n) throw new RangeError(`a permutation needs a domain of at least 1, not ${domain}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`the seed must be a safe integer, not ${seed}`);
  // Even width so both halves have h bits; 2^width < 4 * domain, so cycle walking averages under 4 steps.
  const width = Math.max(2, bitLength(domain - 1n) + (bitLength(domain - 1n) % 2));
  const half = width / 2;
  const keys = roundKeys(seed);
  const arithmetic = options.arithmetic ?? (width <= NUMBER_WIDTH_LIMIT ? 'number' : 'bigint');
  if (arithmetic === 'number' && width > NUMBER_WIDTH_LIMIT) {
    throw new RangeError(`a domain of ${domain} needs bigint arithmetic`);
  }
  const outside = (position: bigint): never => {
    throw new RangeError(`position ${position} is outside [0, ${domain})`);
  };

  if (arithmetic === 'number') {
    const limit = Number(domain);
    const halfSize = 2 ** half;
    const mask = halfSize - 1;
    const atNumber = (position: number): number => {
      if (!(position >= 0 && position < limit)) outside(BigInt(position));
      let x = position;
      do {
        let left = Math.floor(x / halfSize);
        let right = x - left * halfSize;
        for (let round = 0; round < ROUNDS; round += 1) {
          // One-word round function: the bigint path below with a single word.
          const a = mix32(keys[2 * round]! ^ right);
          const b = mix32(((keys[2 * round + 1]! + right) >>> 0) ^ a);
          const next = left ^ (mix32(a ^ mix32(b)) & mask);
          left = right;
          right = next;
        }
        x = left * halfSize + right;
      } while (x >= limit);
      return x;
    };
    return { domain, arithmetic, atNumber, at: (position) => BigInt(atNumber(Number(position))) };
  }

  const halfBits = BigInt(half);
  const mask = (1n << halfBits) - 1n;
  const words = Math.ceil(half / 32);
  const roundFunction = (round: number, right: bigint): bigint => {
    let a = keys[2 * round]!;
    let b = keys[2 * round + 1]!;
    for (let i = 0; i < words; i += 1) {
      const word = Number((right >> BigInt(32 * i)) & 0xffffffffn);
      a = mix32(a ^ word);
      b = mix32(((b + word) >>> 0) ^ a);
    }
    let output = 0n;
    for (let j = 0; j < words; j += 1) output |= BigInt(mix32(a ^ mix32((b + j) >>> 0))) << BigInt(32 * j);
    return output & mask;
  };
  const at = (position: bigint): bigint => {
    if (position < 0n || position >= domain) outside(position);
    let x = position;
    do {
      let left = x >> halfBits;
      let right = x & mask;
      for (let round = 0; round < ROUNDS; round += 1) {
        const next = left ^ roundFunction(round, right);
        left = right;
        right = next;
      }
      x = (left << halfBits) | right;
    } while (x >= domain);
    return x;
  };
  return {
    domain,
    arithmetic,
    at,
    atNumber: () => {
      throw new RangeError(`a domain of ${domain} needs bigint arithmetic: use at()`);
    },
  };
}
