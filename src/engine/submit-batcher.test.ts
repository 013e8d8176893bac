import { describe, expect, it } from 'vitest';
import type { VerifiedEvent } from '../events/verify.js';
import type { Engine } from './engine.js';
import { SubmitBatcher } from './submit-batcher.js';

/** The two Engine methods the batcher calls, with canned answers. */
function stubEngine(commit: (batch: VerifiedEvent[]) => Promise<unknown[]>): Engine {
  return {
    admit: async (raw: unknown) => ({ event: raw, payload: {}, cid: String((raw as { n: number }).n), bytes: new Uint8Array(), round: null }),
    commitVerified: commit,
  } as unknown as Engine;
}

const ok = (batch: VerifiedEvent[]) => Promise.resolve(batch.map((v) => ({ ok: true, result: { cid: v.cid, seq: Number(v.cid), duplicate: false } })));

describe('SubmitBatcher', () => {
  it('fails only the batch whose hook threw, and commits the next one', async () => {
    let broken = true;
    const batcher = new SubmitBatcher(stubEngine(ok), {
      onBatch: () => {
        if (!broken) return;
        broken = false;
        throw new Error('metrics: broken');
      },
    });
    await expect(batcher.submit({ n: 1 })).rejects.toThrow('metrics: broken');
    await expect(batcher.submit({ n: 2 })).resolves.toMatchObject({ ok: true, result: { seq: 2 } });
    await batcher.drain();
  }, 5_000);

  it('fails only the batch whose commit threw, and commits the next one', async () => {
    let calls = 0;
    const batcher = new SubmitBatcher(stubEngine((batch) => (calls++ === 0 ? Promise.reject(new Error('disk: gone')) : ok(batch))));
    await expect(batcher.submit({ n: 1 })).rejects.toThrow('disk: gone');
    await expect(batcher.submit({ n: 2 })).resolves.toMatchObject({ ok: true, result: { seq: 2 } });
  }, 5_000);
});
