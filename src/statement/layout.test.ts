import { describe, expect, it } from 'vitest';
import { PublicLayout, expectedSignalCount } from './layout.js';

/** A layout as the circuit generator writes it (binary logreg over 8 signed 14-bit features). */
const exampleLayout: PublicLayout = {
  version: 1,
  kind: 'logreg',
  items: 1,
  scores: 1,
  classes: 2,
  binding: 'public',
  input: { count: 8, bits: 14, signed: true },
  inputWords: 1,
  scaleBits: 6,
  weightBits: 8,
  scoreBits: 30,
  modelHeader: '1234567890',
};

describe('PublicLayout', () => {
  it('accepts a generator layout and counts its signals per binding', () => {
    expect(PublicLayout.parse(exampleLayout)).toEqual(exampleLayout);
    expect(expectedSignalCount(exampleLayout)).toBe(1 + 1 + 1 + 8);
    expect(expectedSignalCount({ ...exampleLayout, binding: 'hash' })).toBe(4);
    expect(expectedSignalCount({ ...exampleLayout, binding: 'packed', items: 3, scores: 2 })).toBe(1 + 3 * (1 + 2 + 1));
  });

  it('refuses unknown fields and inconsistent counts', () => {
    expect(PublicLayout.safeParse({ ...exampleLayout, extra: 1 }).success).toBe(false);
    expect(PublicLayout.safeParse({ ...exampleLayout, inputWords: 2 }).success).toBe(false);
    expect(PublicLayout.safeParse({ ...exampleLayout, scores: 3, classes: 4 }).success).toBe(false);
    expect(PublicLayout.safeParse({ ...exampleLayout, scores: 4, classes: 4 }).success).toBe(true);
    expect(PublicLayout.safeParse({ ...exampleLayout, binding: 'other' }).success).toBe(false);
  });
});
