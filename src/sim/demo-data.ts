import { ValidationError } from '../core/errors.js';
import type { ItemInput } from '../events/types/core.js';
import { loadJsonlDataset, loadSpamAssassin, planRounds, type Dataset, type DatasetItem } from '../ml/index.js';
import type { LabeledExample } from '../sdk/operator-history.js';
import { FEATURE_SCALE } from '../sdk/operator-strategy.js';

/** Text items are cut to what `round.items` accepts (16 KiB) — spam bodies are cut earlier, at 4,000 chars. */
const MAX_TEXT = 16_000;
/** Bytes of item JSON per `round.items` event, under the default 64 KiB payload limit. */
const ITEMS_EVENT_BUDGET = 48 * 1024;

/** One round's validation set as published (opaque ids: dataset ids such as "spam-2/…" would leak labels). */
export type DemoRoundSet = { round: number; items: ItemInput[]; labels: Map<string, number> };

export type DemoData = {
  dataset: Dataset;
  /** Public labeled corpus published before round 1 (disjoint from every round). */
  bootstrap: LabeledExample[];
  rounds: DemoRoundSet[];
};

export function loadDemoDataset(path: string | undefined): Dataset {
  // The loader stops at the first bad line with file:line (ValidationError dataset.lineInvalid).
  return path ? loadJsonlDataset(path) : loadSpamAssassin({ maxBodyChars: 4000 });
}

function publicInput(dataset: Dataset, item: DatasetItem): ItemInput['input'] {
  if (dataset.kind === 'text') return { text: (item.text ?? '').slice(0, MAX_TEXT) };
  return { features: (item.features ?? []).map((v) => Math.round(v * FEATURE_SCALE)) };
}

/**
 * Cuts the dataset (one seeded shuffle) into a bootstrap corpus and `rounds` validation sets of
 * `itemsPerRound`. The bootstrap takes up to `bootstrap` (default 1,000) of what the rounds leave.
 */
export function planDemo(dataset: Dataset, options: { rounds: number; itemsPerRound: number; seed: number; bootstrap?: number }): DemoData {
  const { rounds, itemsPerRound, seed } = options;
  const needed = rounds * itemsPerRound;
  const warmup = Math.min(options.bootstrap ?? 1000, dataset.items.length - needed);
  const minimum = Math.max(20, 5 * dataset.labels.length);
  if (warmup < minimum) {
    throw new ValidationError('demo.datasetTooSmall', `${dataset.name}: expected at least ${needed + minimum} items (${rounds} rounds × ${itemsPerRound} + ${minimum} for the bootstrap corpus), got ${dataset.items.length}`, {
      field: 'dataset',
    });
  }
  const plan = planRounds(dataset, { rounds, itemsPerRound, warmup, seed });
  const K = dataset.labels.length;
  const bootstrap = plan.warmup.map((item, i): LabeledExample => ({ round: 0, item: `b${i}`, outcomes: K, input: publicInput(dataset, item), label: item.label }));
  const sets = plan.rounds.map((set): DemoRoundSet => {
    const labels = new Map<string, number>();
    const items = set.items.map((item, i): ItemInput => {
      const id = `r${set.round}-${String(i).padStart(4, '0')}`;
      labels.set(id, item.label);
      return { id, outcomes: K, input: publicInput(dataset, item) };
    });
    return { round: set.round, items, labels };
  });
  return { dataset, bootstrap, rounds: sets };
}

/** Splits items into `round.items` payloads that stay under the event size limit. */
export function chunkItems(items: readonly ItemInput[]): ItemInput[][] {
  const chunks: ItemInput[][] = [];
  let current: ItemInput[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 16;
    if (current.length > 0 && (bytes + size > ITEMS_EVENT_BUDGET || current.length >= 500)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
