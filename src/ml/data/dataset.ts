/**
 * The one shape every dataset takes in src/ml: items with either text or a dense feature vector, and
 * a label that is an index into `labels`. Loaders (SpamAssassin, JSONL) produce it; featurizers,
 * splitters and the demo consume it.
 */
export type DatasetItem = {
  /** Stable id within the dataset (e.g. "spam-2/00012" or "iris.jsonl:17"). */
  id: string;
  text?: string;
  features?: number[];
  /** Index into Dataset.labels. */
  label: number;
};

export type Dataset = {
  name: string;
  /** Class names in index order; K = labels.length ≥ 2. */
  labels: string[];
  /** 'text' items all have `text`; 'features' items all have `features` of length featureSize. */
  kind: 'text' | 'features';
  featureSize?: number;
  items: DatasetItem[];
};

/** Items per class, in label order. */
export function classCounts(dataset: Pick<Dataset, 'labels' | 'items'>): number[] {
  const counts = new Array<number>(dataset.labels.length).fill(0);
  for (const item of dataset.items) counts[item.label]++;
  return counts;
}

/** The labels of a list of items as a typed array (what the trainers take). */
export function labelsOf(items: readonly DatasetItem[]): Int32Array {
  const y = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) y[i] = items[i].label;
  return y;
}

/** Same dataset, other items (keeps labels, kind, featureSize). */
export function withItems(dataset: Dataset, items: DatasetItem[], name = dataset.name): Dataset {
  return { ...dataset, name, items };
}
