import { describe as group, expect, it } from 'vitest';
import { AuthError, GameRejection, HindsightError, InternalError, StoreError, ValidationError, describe, expectedGot } from './errors.js';

group('HindsightError', () => {
  it('keeps its code, message, details and cause, and names its class', () => {
    const cause = new SyntaxError('Unexpected token');
    const e = new ValidationError('cli.badJson', '--items: expected JSON, got "x"', { field: 'items' }, { cause });
    expect(e).toBeInstanceOf(HindsightError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ValidationError');
    expect(e.code).toBe('cli.badJson');
    expect(e.message).toBe('--items: expected JSON, got "x"');
    expect(e.details).toEqual({ field: 'items' });
    expect(e.cause).toBe(cause);
    expect(e.toJSON()).toEqual({ code: 'cli.badJson', message: '--items: expected JSON, got "x"', field: 'items', details: { field: 'items' } });
  });

  it('gives every subclass its own name', () => {
    const names = [AuthError, GameRejection, StoreError, InternalError].map((C) => new C('internal.invariant', 'm').name);
    expect(names).toEqual(['AuthError', 'GameRejection', 'StoreError', 'InternalError']);
  });

  it('expectedGot writes "field: expected X, got Y" and passes the cause on', () => {
    const cause = new Error('inner');
    const e = expectedGot('ml.badSeed', 'seed', 'a finite number', Number.NaN, { cause });
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('seed: expected a finite number, got NaN');
    expect(e.details).toEqual({ field: 'seed', expected: 'a finite number', got: 'NaN' });
    expect(e.cause).toBe(cause);
    expect(expectedGot('ml.badSeed', 'seed', 'a finite number', 1).cause).toBeUndefined();
  });

  it('describe shows bigints, non-finite numbers and long values readably', () => {
    expect(describe(5n)).toBe('5n');
    expect(describe(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(describe('a')).toBe('"a"');
    expect(describe(undefined)).toBe('undefined');
    expect(describe('x'.repeat(200)).length).toBe(80);
  });
});
