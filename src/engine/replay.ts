import { decode } from '../core/encoding.js';
import { HindsightError } from '../core/errors.js';
import { apply } from '../game/apply.js';
import { emptyState, type GameState } from '../game/state.js';
import type { EventStore } from '../store/index.js';
import { admit, verifyHere } from './intake.js';
import { parseStored } from './parse.js';
import { sandboxFor } from './sandbox-loader.js';

/** Replays a whole log from the first event, optionally re-verifying every signature. */
export async function replayLog(store: EventStore, options: { verifySignatures?: boolean; onBatch?: (seq: number) => void } = {}): Promise<{ state: GameState; events: number; rejected: number }> {
  const state = emptyState();
  let after = 0;
  for (;;) {
    const batch = await store.readAfter(after, 5000);
    if (batch.length === 0) break;
    for (const stored of batch) {
      const parsed = parseStored(stored);
      if (options.verifySignatures) {
        // Judged as at intake, except that the payload limit is the default one and there is no
        // clock: a past event is judged by its own time, which intake bounded by its clock
        // (docs/security.md, "Time"). The stored form is what was signed (a DAG-JWS event too).
        const admitted = await admit(decode(stored.bytes), state, (raw) => verifyHere(raw, { community: state.community?.id }));
        if (admitted instanceof HindsightError) throw admitted;
      }
      await sandboxFor(state, parsed.event.type);
      apply(state, parsed);
      after = stored.seq;
    }
    options.onBatch?.(after);
  }
  return { state, events: after, rejected: state.rejected };
}
