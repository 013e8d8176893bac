import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_R, toField } from '../statement/field.js';
import type { InputSpec } from '../statement/layout.js';
import { checkedSparseInputs, fieldEval, sparseChallenge, sparseFold, sparseFoldEval, sparseInputs } from './fold-sparse.js';

/**
 * The folded batch's verifier formulas read densely, feature by feature, with a reduction at
 * every step: the definitions the sparse pass must equal bit for bit (a different challenge or X
 * would make every honest proof fail, or accept one it should not).
 */
function denseChallenge(modelHash: bigint, xs: readonly (readonly (number | bigint)[])[], digest: bigint, commitment: bigint, scores: readonly (readonly bigint[])[]): bigint {
  const h = createHash('sha256');
  h.update(`hindsight-fold/2;${modelHash};${digest};${commitment};${xs.length};`);
  for (const x of xs) {
    let line = `${x.length}:`;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0 && x[i] !== 0n) line += `${i}=${x[i]},`;
    h.update(`${line};`);
  }
  h.update(`scores:${scores.length};${scores.map((row) => `${row.join(',')};`).join('')}`);
  return BigInt(`0x${h.digest('hex')}`) % FIELD_R;
}

function denseFold(n: number, xs: readonly (readonly (number | bigint)[])[], rho: bigint): bigint[] {
  const X = new Array<bigint>(n).fill(0n);
  let pow = 1n;
  for (const x of xs) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (v === 0 || v === 0n) continue;
      X[i] = (X[i]! + pow * toField(BigInt(v))) % FIELD_R;
    }
    pow = (pow * rho) % FIELD_R;
  }
  return X;
}

function denseRangeError(spec: InputSpec, xs: readonly (readonly (number | bigint)[])[]): string | undefined {
  const lo = spec.signed ? -(1n << BigInt(spec.bits - 1)) : 0n;
  const hi = spec.signed ? (1n << BigInt(spec.bits - 1)) - 1n : (1n << BigInt(spec.bits)) - 1n;
  for (const [m, x] of xs.entries()) {
    if (x.length !== spec.count) return `inputs[${m}]: expected ${spec.count} features, got ${x.length}`;
    for (const [i, v] of x.entries()) {
      if (typeof v === 'number' && !Number.isInteger(v)) return `inputs[${m}][${i}]: expected an integer, got ${v}`;
      const b = BigInt(v);
      if (b < lo || b > hi) return `inputs[${m}][${i}]: expected an integer in [${lo}, ${hi}], got ${b}`;
    }
  }
  return undefined;
}

const field = fc.bigInt({ min: 0n, max: FIELD_R - 1n });
/** Mostly-zero vectors (as hashed text features are), mixing number and bigint entries. */
const vectors = (width: number, bits: number) =>
  fc.array(
    fc.array(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom<number | bigint>(0, 0n) },
        { weight: 2, arbitrary: fc.bigInt({ min: -(1n << BigInt(bits)), max: 1n << BigInt(bits) }) },
        { weight: 1, arbitrary: fc.integer({ min: -(2 ** bits), max: 2 ** bits }) },
      ),
      { minLength: width, maxLength: width },
    ),
    { minLength: 1, maxLength: 6 },
  );

describe('the sparse verifier pass of folded batches', () => {
  it('challenge and fold equal the dense definitions (signed values, number and bigint entries)', () => {
    fc.assert(
      fc.property(vectors(9, 6), field, field, field, field, fc.array(fc.array(fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), { minLength: 1, maxLength: 3 }), { maxLength: 6 }), (xs, modelHash, digest, commitment, rho, scores) => {
        const sparse = sparseInputs(xs);
        expect(sparseChallenge(modelHash, sparse, digest, commitment, scores)).toBe(denseChallenge(modelHash, xs, digest, commitment, scores));
        expect(sparseFold(9, sparse, rho)).toEqual(denseFold(9, xs, rho));
      }),
      { numRuns: 300 },
    );
  });

  it('the evaluation of the folded input at a point equals evaluating the dense fold; fieldEval is the polynomial Σ at^k·v_k', () => {
    const denseEval = (values: readonly bigint[], at: bigint) => values.reduce((acc, v, k) => (acc + ((toField(v) * ((at ** BigInt(k)) % FIELD_R)) % FIELD_R)) % FIELD_R, 0n);
    fc.assert(
      fc.property(vectors(9, 6), field, field, (xs, rho, point) => {
        expect(sparseFoldEval(9, sparseInputs(xs), rho, point)).toBe(denseEval(denseFold(9, xs, rho), point));
        const values = xs.flat().map((v) => BigInt(v));
        expect(fieldEval(values, point)).toBe(denseEval(values, point));
      }),
      { numRuns: 300 },
    );
  });

  it('the evaluation tells apart any two different folded inputs at a random point (a changed feature changes it)', () => {
    fc.assert(
      fc.property(vectors(9, 6), fc.nat({ max: 8 }), fc.bigInt({ min: 1n, max: 1000n }), field, field, (xs, i, delta, rho, point) => {
        const changed = xs.map((x, m) => (m === 0 ? x.map((v, k) => (k === i ? BigInt(v) + delta : v)) : x));
        fc.pre(point !== 0n || i === 0);
        expect(sparseFoldEval(9, sparseInputs(changed), rho, point)).not.toBe(sparseFoldEval(9, sparseInputs(xs), rho, point));
      }),
      { numRuns: 200 },
    );
  });

  it('the range check refuses exactly what the dense check refuses, with the same message', () => {
    const specs: InputSpec[] = [
      { count: 7, bits: 4, signed: false },
      { count: 7, bits: 4, signed: true },
    ];
    fc.assert(
      fc.property(fc.constantFrom(...specs), vectors(7, 5), fc.boolean(), (spec, xs, ragged) => {
        const input = ragged ? [...xs, [1, 2]] : xs;
        const checked = checkedSparseInputs(spec, input);
        expect(typeof checked === 'string' ? checked : undefined).toBe(denseRangeError(spec, input));
        if (typeof checked !== 'string') expect(checked).toEqual(sparseInputs(input));
      }),
      { numRuns: 300 },
    );
    expect(checkedSparseInputs({ count: 2, bits: 4, signed: false }, [[0, 1.5]])).toBe('inputs[0][1]: expected an integer, got 1.5');
    expect(checkedSparseInputs({ count: 2, bits: 4, signed: false }, [[0, -1n]])).toBe('inputs[0][1]: expected an integer in [0, 15], got -1');
  });

  it('a 1,024-wide batch of 150 sparse items folds to the dense result', () => {
    let s = 7;
    const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31);
    const xs = Array.from({ length: 150 }, () => Array.from({ length: 1024 }, () => (next() % 7 === 0 ? BigInt(next() % 32) : 0n)));
    const scores = xs.map((_, m) => [BigInt(m) - 75n]);
    const rho = denseChallenge(5n, xs, 6n, 6n, scores);
    expect(sparseChallenge(5n, sparseInputs(xs), 6n, 6n, scores)).toBe(rho);
    expect(sparseFold(1024, sparseInputs(xs), rho)).toEqual(denseFold(1024, xs, rho));
  });
});
