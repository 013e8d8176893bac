/**
 * Opens a log as a restarted node would and checks that nothing in it is half-written: seqs are
 * 1..head without a gap, every stored row's bytes hash to its CID and decode to a known event, and
 * every acknowledged event is there with the seq it was acknowledged with. Returns the stateHash of
 * a fresh replay from the first event, for comparison with a live node's.
 */
import { expect } from 'vitest';
import { cidOfBytes } from '../../src/core/encoding.js';
import { parseStored } from '../../src/engine/parse.js';
import { replayLog } from '../../src/engine/replay.js';
import { stateHash } from '../../src/game/canonical.js';
import { iterateLog } from '../../src/store/iterate-log.js';
import { openStore } from '../../src/store/open-store.js';
import type { OpenStoreOptions } from '../../src/store/types.js';

export type LogAudit = { head: number; seqOf: Map<string, number>; replayHash: string };

/** `game: false` for logs of opaque test rows (makeTestEvent): no decoding as events, no replay. */
export async function auditLog(location: OpenStoreOptions, options: { acked?: Map<string, number>; verifySignatures?: boolean; game?: boolean } = {}): Promise<LogAudit> {
  const game = options.game ?? true;
  const store = await openStore({ ...location, checkCids: true, writerThread: false });
  try {
    const seqOf = new Map<string, number>();
    const broken: string[] = [];
    let expected = 1;
    for await (const stored of iterateLog(store, 0, 2000)) {
      if (stored.seq !== expected) broken.push(`seq ${stored.seq} where ${expected} was expected`);
      expected = stored.seq + 1;
      if (cidOfBytes(stored.bytes).toString() !== stored.cid) broken.push(`seq ${stored.seq}: bytes do not hash to ${stored.cid}`);
      try {
        if (game) parseStored(stored);
      } catch (error) {
        broken.push(`seq ${stored.seq}: ${(error as Error).message}`);
      }
      seqOf.set(stored.cid, stored.seq);
    }
    expect(broken, 'every stored event whole').toEqual([]);
    const head = await store.head();
    expect(head, 'head = number of stored events').toBe(seqOf.size);
    if (options.acked) {
      const lost = [...options.acked].filter(([cid, seq]) => seqOf.get(cid) !== seq).map(([cid, seq]) => `${cid} (acknowledged as seq ${seq}, found ${seqOf.get(cid) ?? 'nothing'})`);
      expect(lost, 'acknowledged events missing from the log').toEqual([]);
    }
    if (!game) return { head, seqOf, replayHash: '' };
    const replay = await replayLog(store, { verifySignatures: options.verifySignatures ?? false });
    expect(replay.events).toBe(head);
    return { head, seqOf, replayHash: stateHash(replay.state) };
  } finally {
    await store.close();
  }
}
