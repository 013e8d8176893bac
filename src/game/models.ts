import type { ModelStats } from './state.js';
import { ensure, type Handler } from './rules.js';

export function emptyStats(hash: string): ModelStats {
  return {
    hash,
    pnl: 0n,
    cost: 0n,
    payout: 0n,
    itemsTraded: 0,
    logLossSum: 0n,
    brierSum: 0n,
    scoredItems: 0,
    calibration: Array.from({ length: 10 }, () => [0, 0] as [number, number]),
    history: new Map(),
  };
}

export const modelCommitHandler: Handler<'model.commit'> = (state, ev) => {
  const p = ev.payload;
  const owner = p.owner ?? ev.event.author;
  ensure(owner === ev.event.author, 'model.ownerMismatch', 'owner', `the author ${ev.event.author} (models are committed by their owner)`, owner);
  ensure(!state.models.has(p.modelHash), 'model.exists', 'modelHash', 'a hash not registered before', p.modelHash);
  ensure(p.vkey === undefined || state.vkeys.has(p.vkey), 'zk.noVkey', 'vkey', 'the id of a published zk.vkey', p.vkey);
  const key = p.vkey ? state.vkeys.get(p.vkey) : undefined;
  const dim = p.featurizer ? (p.featurizer.kind === 'hashed-ngrams' ? p.featurizer.buckets : p.featurizer.size) : undefined;
  ensure(!key || dim === undefined || dim === key.layout.input.count, 'zk.featurizerMismatch', 'featurizer', `a featurizer of ${key?.layout.input.count} features (the key's circuit inputs)`, `${dim} features`);
  state.models.set(p.modelHash, { hash: p.modelHash, owner, name: p.name, architecture: p.architecture, committedAt: ev.seq, vkey: p.vkey ?? null, ...(p.featurizer ? { featurizer: p.featurizer } : {}) });
  state.leaderboard.set(p.modelHash, emptyStats(p.modelHash));
};
