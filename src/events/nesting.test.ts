import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from '../node/json-body.js';
import { nestingExceeds } from './nesting.js';

const nest = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
};

describe('nestingExceeds', () => {
  it('counts arrays and objects, not scalars or byte arrays', () => {
    expect(nestingExceeds(1, 0)).toBe(false);
    expect(nestingExceeds(new Uint8Array(4), 0)).toBe(false);
    expect(nestingExceeds([], 0)).toBe(true);
    expect(nestingExceeds(nest(3), 3)).toBe(false);
    expect(nestingExceeds(nest(4), 3)).toBe(true);
  });

  it('does not overflow on a value far deeper than any stack', () => {
    expect(nestingExceeds(nest(200_000), 64)).toBe(true);
  });

  it('agrees with the HTTP body check on the same value written as JSON', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (value, max) => {
      expect(nestingExceeds(value, max)).toBe(jsonDepthExceeds(JSON.stringify(value), max));
    }));
  });
});
