import { sha256 } from '@noble/hashes/sha2.js';

/**
 * The one piece of node:crypto the shared encoding code (src/core/encoding.ts) uses, for the
 * browser bundle: createHash('sha256'). Anything else from node:crypto is unavailable here.
 */
export function createHash(algorithm: string) {
  if (algorithm !== 'sha256') throw new Error(`createHash: expected sha256 in the browser, got ${algorithm}`);
  const h = sha256.create();
  const self = {
    update(data: Uint8Array | string) {
      h.update(typeof data === 'string' ? new TextEncoder().encode(data) : data);
      return self;
    },
    digest(enc?: 'hex') {
      const out = h.digest();
      return enc === 'hex' ? [...out].map((x) => x.toString(16).padStart(2, '0')).join('') : out;
    },
  };
  return self;
}
export const createPublicKey = (): never => {
  throw new Error('createPublicKey is not available in the browser');
};
export const randomBytes = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));
export default { createHash, createPublicKey, randomBytes };
