/**
 * The log's facts for checking a served answer (src/zk/served-answer.ts) read from a node's public
 * API: the model's committed key id and featurizer, its per-round P&L history and the round's
 * market liquidity.
 */
import type { ServedFacts } from '../zk/served-answer.js';
import type { HindsightClient } from './client.js';

export function factsFromClient(client: HindsightClient): ServedFacts {
  let rows: Awaited<ReturnType<HindsightClient['leaderboard']>> | undefined;
  return {
    committedKey: async (hash) => {
      const m = await client.model(hash);
      return m ? m.vkey : undefined;
    },
    committedFeaturizer: async (hash) => {
      const m = await client.model(hash);
      return m ? m.featurizer : undefined;
    },
    pnlAsOf: async (hash, round) => {
      rows ??= await client.leaderboard();
      const row = rows.find((r) => r.hash === hash);
      return (row?.history ?? []).filter((h) => h.round <= round).reduce((s, h) => s + BigInt(h.pnl), 0n);
    },
    liquidity: async (round) => {
      const r = await client.round(round);
      const items = (r?.outcomes ?? []).map((o) => o.item).sort();
      if (items.length === 0) return null;
      const m = await client.market(round, items[0]!);
      return m ? BigInt(m.b) : null;
    },
  };
}
