/**
 * Workloads for http.bench.ts: signed events prepared ahead of time. `setup` must be applied in
 * order before the load; `chains[i]` is client i's events (each chains on the previous).
 */
import type { SignedEvent } from '../../src/events/envelope.js';
import { makeTestCommunity, transfer, type TestCommunity } from '../../test/support/test-community.js';
import { pseudoModelHash } from '../../src/statement/pseudo-model-hash.js';

export type Workload = { kind: string; community: TestCommunity; setup: SignedEvent[]; chains: SignedEvent[][] };

const T0 = 1_700_000_000_000;
const PROB_SCALE = 1_000_000_000_000;
const ITEMS = 8;

/** ledger.transfer of 1 micro-unit from each client to a sink. */
export function transferWorkload(clients: number, perClient: number, salt: number): Workload {
  const community = makeTestCommunity({ members: clients + 1, salt, id: `bench-${salt}` });
  const sink = community.members[clients]!;
  const chains = community.members.slice(0, clients).map((m) => Array.from({ length: perClient }, () => transfer(m, sink)));
  return { kind: 'ledger.transfer', community, setup: [community.genesis], chains };
}

/**
 * Continuous-mode LMSR trades: every client commits its own model, then trades `trade.execute`
 * beliefs on one of 8 items of an open round, alternating between beliefs near 0.6 and 0.4 so
 * prices move. Each event's belief is also shifted by its own multiple of 10^-6, so no trade asks
 * for the price an earlier one already set (a trade that buys nothing is refused as trade.noOp).
 */
export function tradeWorkload(clients: number, perClient: number, salt: number): Workload {
  // Enough money for thousands of trades per client: a refused trade would end that client's run early.
  const community = makeTestCommunity({ members: clients + 1, salt, id: `bench-${salt}`, balance: 1_000_000_000_000n });
  const { admin } = community;
  const funder = community.members[clients]!;
  const traders = community.members.slice(0, clients);
  const setup: SignedEvent[] = [community.genesis];
  for (const [i, m] of traders.entries()) setup.push(m.next('model.commit', { modelHash: pseudoModelHash(`bench-model-${salt}-${i}`), architecture: 'bench', name: `m${i}` }));
  setup.push(
    funder.next('treasury.fund', { amount: String(100_000_000 * ITEMS) }),
    admin.next('round.schedule', { round: 1, subsidyPerItem: '10000000', tradingDeadline: T0 + 1e9, revealDeadline: T0 + 2e9, seedCommitment: 'cd'.repeat(32) }),
    admin.next('round.items', { round: 1, items: Array.from({ length: ITEMS }, (_, i) => ({ id: `item-${i}`, outcomes: 2, input: { text: `item ${i}` } })) }),
    admin.next('round.open', { round: 1 }),
  );
  const chains = traders.map((m, i) =>
    Array.from({ length: perClient }, (_, k) => {
      const p = (k % 2 === 0 ? 0.6 : 0.4) + ((i * perClient + k) % 50_000) * 1e-6;
      const belief = [Math.round(p * PROB_SCALE), PROB_SCALE - Math.round(p * PROB_SCALE)];
      return m.next('trade.execute', { round: 1, item: `item-${(i + k) % ITEMS}`, model: pseudoModelHash(`bench-model-${salt}-${i}`), trade: { kind: 'belief', belief, maxCost: '5000000' } });
    }),
  );
  return { kind: 'trade.execute (continuous LMSR, 8 items)', community, setup, chains };
}
