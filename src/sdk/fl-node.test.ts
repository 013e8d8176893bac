import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blobBytes } from './fl-node.js';

describe('blobBytes', () => {
  const bytes = Buffer.from('a model blob');
  const id = `sha256-${createHash('sha256').update(bytes).digest('hex')}`;

  it('returns the bytes a blob id names', () => {
    expect(Buffer.from(blobBytes(id, bytes.toString('base64'))).toString()).toBe('a model blob');
  });

  it('refuses bytes that do not hash to the id, saying what they hash to', () => {
    const tampered = Buffer.from('a model blub');
    const actual = `sha256-${createHash('sha256').update(tampered).digest('hex')}`;
    expect(() => blobBytes(id, tampered.toString('base64'))).toThrow(`blob bytes: expected bytes hashing to ${id}, got "${actual}"`);
  });
});
