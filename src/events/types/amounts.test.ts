import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testSigner } from '../../../test/support/test-community.js';
import { signEvent } from '../sign.js';
import { verifyEvent } from '../verify.js';
import { Micro, SignedMicro } from './common.js';
import { ProofAttachment } from './zk.js';

const LIMIT = 10n ** 24n - 1n;
/** Any amount the schemas admit by size: up to 24 digits, either sign. */
const amount = fc.bigInt({ min: -LIMIT, max: LIMIT });
/** Other spellings of the same value: zero-padded, a plus sign, spaces, a minus on zero. */
function respellings(n: bigint, pad: number): string[] {
  const abs = (n < 0n ? -n : n).toString();
  const sign = n < 0n ? '-' : '';
  return [`${sign}${'0'.repeat(pad)}${abs}`, `+${abs}`, ` ${sign}${abs}`, `${sign}${abs} `, ...(n === 0n ? ['-0', '-00'] : [])];
}

describe('amounts in event payloads have one spelling', () => {
  it('SignedMicro: the canonical text of any bigint is accepted and every re-spelling refused', () => {
    fc.assert(
      fc.property(amount, fc.integer({ min: 1, max: 5 }), (n, pad) => {
        expect(SignedMicro.safeParse(n.toString()).success).toBe(true);
        for (const text of respellings(n, pad)) expect(SignedMicro.safeParse(text).success, text).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('Micro: the same for amounts ≥ 0, and no sign at all', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: LIMIT }), fc.integer({ min: 1, max: 5 }), (n, pad) => {
        expect(Micro.safeParse(n.toString()).success).toBe(true);
        for (const text of respellings(n, pad)) expect(Micro.safeParse(text).success, text).toBe(false);
        if (n > 0n) expect(Micro.safeParse(`-${n}`).success).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('says what a canonical amount is', () => {
    for (const text of ['0005', '-0', '+5', ' 5']) {
      expect(SignedMicro.safeParse(text).error?.issues[0]?.message).toBe(
        'expected a canonical decimal integer: no leading zeros, no sign other than a leading minus on a nonzero value (micro-units, at most 24 digits)',
      );
      expect(Micro.safeParse(text).error?.issues[0]?.message).toBe('expected a canonical decimal integer of micro-units: no leading zeros, no sign, at most 24 digits');
    }
    expect(Micro.safeParse('1'.repeat(25)).success).toBe(false);
  });

  it('a signed event with a zero-padded amount is refused at intake, naming the field', async () => {
    const signer = testSigner(0, 16);
    const event = (amount: string) => signEvent(signer, { type: 'ledger.transfer', community: 'amounts', payload: { to: testSigner(1, 16).did, amount }, prev: null, nonce: 1, time: 1 });
    await expect(verifyEvent(event('5'), { community: 'amounts' })).resolves.toMatchObject({ payload: { amount: '5' } });
    for (const amount of ['0005', '05', '+5', ' 5', '5 ']) {
      await expect(verifyEvent(event(amount), { community: 'amounts' })).rejects.toMatchObject({
        code: 'event.schema',
        details: { field: 'payload.amount' },
        message: expect.stringContaining('canonical decimal integer'),
      });
    }
    const shares = (delta: string[]) =>
      signEvent(signer, { type: 'trade.execute', community: 'amounts', payload: { round: 1, item: 'a', model: `0x${'0'.repeat(64)}`, trade: { kind: 'shares', delta, maxCost: '1' } }, prev: null, nonce: 1, time: 1 });
    await expect(verifyEvent(shares(['-5', '0']), { community: 'amounts' })).resolves.toBeDefined();
    await expect(verifyEvent(shares(['-0', '5']), { community: 'amounts' })).rejects.toMatchObject({ code: 'event.schema', details: { field: 'payload.trade.delta.0' } });
  });

  it('public signals of a proof are field elements without leading zeros', () => {
    const proof = { pi_a: ['1', '2', '1'], pi_b: [['1', '2'], ['3', '4'], ['1', '0']], pi_c: ['1', '2', '1'], protocol: 'groth16', curve: 'bn128' };
    expect(ProofAttachment.safeParse({ proof, publicSignals: ['0', '12'] }).success).toBe(true);
    expect(ProofAttachment.safeParse({ proof, publicSignals: ['0', '012'] }).success).toBe(false);
  });
});
