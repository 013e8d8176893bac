import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors.js';
import { DATASET_LINE_INVALID, loadJsonlDataset, parseJsonlDataset, toJsonl } from './jsonl.js';

function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('parseJsonlDataset', () => {
  it('reads text items with string labels (sorted class names, blank lines skipped)', () => {
    const ds = parseJsonlDataset('{"text":"buy now","label":"spam"}\n\n{"text":"hi bob","label":"ham","id":"m2"}\n', { source: 'x.jsonl' });
    expect(ds.kind).toBe('text');
    expect(ds.labels).toEqual(['ham', 'spam']);
    expect(ds.items).toEqual([
      { id: 'x.jsonl:1', text: 'buy now', label: 1 },
      { id: 'm2', text: 'hi bob', label: 0 },
    ]);
  });

  it('reads feature items with integer labels, K > 2', () => {
    const ds = parseJsonlDataset(['{"features":[1,2],"label":3}', '{"features":[0,1.5],"label":0}', '{"features":[2,2],"label":1}'].join('\n'));
    expect(ds.kind).toBe('features');
    expect(ds.featureSize).toBe(2);
    expect(ds.labels).toEqual(['0', '1', '3']);
    expect(ds.items.map((i) => i.label)).toEqual([2, 0, 1]);
  });

  it('uses a given class list for indices', () => {
    const ds = parseJsonlDataset('{"text":"a","label":"b"}\n{"text":"c","label":"a"}', { classes: ['b', 'a', 'z'] });
    expect(ds.labels).toEqual(['b', 'a', 'z']);
    expect(ds.items.map((i) => i.label)).toEqual([0, 1]);
  });

  const bad: [string, string, string, { classes?: string[] }?][] = [
    ['bad JSON', '{"text":"ok","label":"a"}\n{"text": nope}', ':2: line: expected a JSON object'],
    ['missing label', '{"text":"ok","label":"a"}\n{"text":"x"}', ':2: label: expected a class name'],
    ['wrong feature length', '{"features":[1,2],"label":0}\n{"features":[1,2],"label":1}\n{"features":[1],"label":1}', ':3: features: expected length 2, got "length 1"'],
    ['non-numeric feature', '{"features":[1,"x"],"label":0}', ':1: features[1]: expected a finite number'],
    ['text and features on one line', '{"text":"a","features":[1],"label":0}', ':1: text/features: expected exactly one'],
    ['text then features', '{"text":"a","label":"x"}\n{"features":[1],"label":"y"}', ':2: features: expected "text" like the earlier lines'],
    ['unknown class', '{"text":"a","label":"ham"}\n{"text":"b","label":"eggs"}', ':2: label: expected one of ["ham","spam"]', { classes: ['ham', 'spam'] }],
    ['class index out of range', '{"features":[1],"label":2}', ':1: label: expected one of', { classes: ['a', 'b'] }],
    ['mixed label types', '{"text":"a","label":"x"}\n{"text":"b","label":1}', ':2: label: expected a string'],
    ['negative label', '{"text":"a","label":-1}', ':1: label: expected a non-empty string or a non-negative integer'],
    ['not an object', '[1,2]', ':1: line: expected a JSON object'],
  ];
  for (const [what, text, message, opts] of bad) {
    it(`rejects ${what} with file:line`, () => {
      const e = errorOf(() => parseJsonlDataset(text, { source: 'data/x.jsonl', ...opts }));
      expect(e.code).toBe(DATASET_LINE_INVALID);
      expect(e.message).toContain(`data/x.jsonl${message}`);
      expect(e.details.file).toBe('data/x.jsonl');
    });
  }

  it('rejects a single-class file and an empty file', () => {
    expect(() => parseJsonlDataset('{"text":"a","label":"x"}\n{"text":"b","label":"x"}')).toThrow(/expected at least 2 classes/);
    expect(() => parseJsonlDataset('\n\n')).toThrow(/expected at least one item/);
  });

  it('loads from a file and names the path in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-jsonl-'));
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, '{"text":"a","label":"x"}\n{"text":"b","label":"y"}\n');
    expect(loadJsonlDataset(good).name).toBe('good');
    const badPath = join(dir, 'bad.jsonl');
    writeFileSync(badPath, '{"text":"a","label":"x"}\n{"text":"b"}\n');
    expect(() => loadJsonlDataset(badPath)).toThrow(`${badPath}:2: label`);
    expect(() => loadJsonlDataset(join(dir, 'missing.jsonl'))).toThrow(/expected a readable JSONL file/);
  });

  it('toJsonl keeps integer class order (2 before 10)', () => {
    const ds = parseJsonlDataset('{"features":[1],"label":10}\n{"features":[2],"label":2}', { source: 'n.jsonl' });
    expect(ds.labels).toEqual(['2', '10']);
    const again = parseJsonlDataset(toJsonl(ds), { source: 'n.jsonl' });
    expect(again.labels).toEqual(['2', '10']);
    expect(again.items).toEqual(ds.items);
  });

  it('toJsonl → parse round-trips any text dataset', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ text: fc.string(), label: fc.constantFrom('a', 'b', 'c') }), { minLength: 2, maxLength: 30 }),
        (rows) => {
          fc.pre(new Set(rows.map((r) => r.label)).size >= 2);
          const ds = parseJsonlDataset(rows.map((r) => JSON.stringify(r)).join('\n'), { source: 's.jsonl' });
          const again = parseJsonlDataset(toJsonl(ds), { source: 's.jsonl' });
          expect(again.items).toEqual(ds.items);
          expect(again.labels).toEqual(ds.labels);
        },
      ),
    );
  });
});
