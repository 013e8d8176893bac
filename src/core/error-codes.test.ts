import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES, ERROR_CODES, isErrorCode } from './error-codes.js';

const CASING = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/;
const SRC = fileURLToPath(new URL('..', import.meta.url));

/** Product code: every .ts under src/ but tests, as [path relative to src/, text]. */
function productSources(): [string, string][] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort()
    .map((f) => [relative(SRC, join(SRC, f)), readFileSync(join(SRC, f), 'utf8')]);
}

/** The text without block comments and whole-line `//` comments (a comment may mention `new Error(`). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

describe('ERROR_CODES', () => {
  it('spells every code area.whatWentWrong in dotted lowerCamel, under its own area', () => {
    expect(ALL_ERROR_CODES.filter((c) => !CASING.test(c))).toEqual([]);
    for (const [area, codes] of Object.entries(ERROR_CODES)) {
      expect(codes.filter((c) => !c.startsWith(`${area}.`)), area).toEqual([]);
    }
  });

  it('lists every code once', () => {
    const seen = new Set<string>();
    const twice = ALL_ERROR_CODES.filter((c) => seen.size === seen.add(c).size);
    expect(twice).toEqual([]);
  });

  it('has no dead codes: each one is used as a string literal somewhere in src/', () => {
    const text = productSources()
      .filter(([path]) => path !== join('core', 'error-codes.ts'))
      .map(([, t]) => t)
      .join('\n');
    const unused = ALL_ERROR_CODES.filter((c) => !["'", '"', '`'].some((q) => text.includes(`${q}${c}${q}`)));
    expect(unused).toEqual([]);
  });

  it('isErrorCode accepts listed codes only', () => {
    expect(isErrorCode('zk.proofInvalid')).toBe(true);
    expect(isErrorCode('zk.proof_invalid')).toBe(false);
    expect(isErrorCode('internal')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});

describe('product code throws HindsightErrors only', () => {
  const sources = productSources().map(([path, text]) => [path, code(text)] as const);

  /** HindsightError and every class that extends it, anywhere in src/. */
  const hindsightClasses = (() => {
    const parents = new Map<string, string>();
    for (const [, text] of sources) for (const m of text.matchAll(/class (\w+) extends (\w+)/g)) parents.set(m[1]!, m[2]!);
    const ours = new Set(['HindsightError']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [child, parent] of parents) if (ours.has(parent) && !ours.has(child)) grew = Boolean(ours.add(child));
    }
    return ours;
  })();

  it('knows the error classes it checks against', () => {
    for (const name of ['ValidationError', 'AuthError', 'GameRejection', 'StoreError', 'InternalError', 'HttpError', 'NodeHttpError', 'NodeUnavailableError']) {
      expect(hindsightClasses.has(name), name).toBe(true);
    }
  });

  it('constructs no built-in Error, TypeError or RangeError', () => {
    const found = sources.flatMap(([path, text]) =>
      [...text.matchAll(/\bnew (Error|TypeError|RangeError|SyntaxError|ReferenceError|AggregateError)\(/g)].map((m) => `${path}: ${m[0]}`),
    );
    expect(found).toEqual([]);
  });

  it('throws or rejects with no literal and no class outside HindsightError', () => {
    const found: string[] = [];
    for (const [path, text] of sources) {
      for (const m of text.matchAll(/\bthrow\s+(['"`\d{[]|new\s+(\w+))/g)) {
        if (!m[2] || !hindsightClasses.has(m[2])) found.push(`${path}: ${m[0]}`);
      }
      for (const m of text.matchAll(/\b(?:reject|fail|failAll)\(\s*new\s+(\w+)/g)) {
        if (!hindsightClasses.has(m[1]!)) found.push(`${path}: ${m[0]}`);
      }
    }
    expect(found).toEqual([]);
  });
});
