import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_JSON_DEPTH, jsonDepthExceeds } from './json-body.js';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('jsonDepthExceeds', () => {
  it('counts arrays and objects inside one another, up to the limit and one past it', () => {
    expect(jsonDepthExceeds(nested(64), 64)).toBe(false);
    expect(jsonDepthExceeds(nested(65), 64)).toBe(true);
    expect(jsonDepthExceeds('{"a":'.repeat(64) + '1' + '}'.repeat(64), 64)).toBe(false);
    expect(jsonDepthExceeds('{"a":'.repeat(65) + '1' + '}'.repeat(65), 64)).toBe(true);
    // Siblings do not add up: depth is the deepest path, not the number of brackets.
    expect(jsonDepthExceeds(`[${Array.from({ length: 1000 }, () => nested(60)).join(',')}]`, 64)).toBe(false);
    expect(jsonDepthExceeds('1', 0)).toBe(false);
    expect(jsonDepthExceeds('[]', 0)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(JSON.stringify({ s: nested(500) }), 2)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ s: `\\"${nested(500)}\\\\` }), 2)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ s: 'x"' }) + nested(3), 2)).toBe(true);
    expect(jsonDepthExceeds(JSON.stringify([{ s: '\\' }, [[['"[[[[']]]]), 4)).toBe(false);
  });

  it('agrees with the depth of values JSON.stringify writes', () => {
    const depthOf = (v: unknown): number => (Array.isArray(v) ? 1 + Math.max(0, ...v.map(depthOf)) : v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
    const values: unknown[] = [{ a: [1, { b: [] }], c: '[[{' }, [[], [[[]]], '"]]'], { 'k"]': { '\\': [null] } }, 'x', []];
    for (const v of values) {
      const d = depthOf(v);
      expect(jsonDepthExceeds(JSON.stringify(v), d), JSON.stringify(v)).toBe(false);
      if (d > 0) expect(jsonDepthExceeds(JSON.stringify(v), d - 1), JSON.stringify(v)).toBe(true);
    }
  });

  it('runs in linear time without recursion: 5 MB of brackets in well under a second', () => {
    const started = performance.now();
    expect(jsonDepthExceeds(nested(2_500_000), DEFAULT_MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(`[${'[],'.repeat(1_000_000)}[]]`, DEFAULT_MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(`"${'\\"['.repeat(1_000_000)}"`, DEFAULT_MAX_JSON_DEPTH)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
