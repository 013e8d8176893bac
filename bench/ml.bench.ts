import type { BenchOptions } from './bench-types.js';
import { checkAgreement, fixedClassifier, modelHashOf, toArtifact, type ExportableModel } from '../src/ml/artifact.js';
import type { FeaturizerSpec } from '../src/ml/artifact-types.js';
import { labelsOf, type Dataset } from '../src/ml/data/dataset.js';
import { loadJsonlDataset } from '../src/ml/data/jsonl.js';
import { loadSpamAssassinWithStats } from '../src/ml/data/spam-assassin.js';
import { trainTestSplit } from '../src/ml/data/split.js';
import { hashedNgramSpec, makeFeaturizer } from '../src/ml/features/featurizer.js';
import { evaluate } from '../src/ml/metrics.js';
import { trainLogReg } from '../src/ml/models/logreg.js';
import { predictProbaAll } from '../src/ml/models/model.js';
import { trainMlp } from '../src/ml/models/mlp.js';
import { trainNaiveBayes } from '../src/ml/models/naive-bayes.js';
import { qualityLadder, trainRecipe } from '../src/ml/recipes.js';

/**
 * `hindsight bench ml`: training time (wall and CPU, single thread) and held-out quality of LR, MLP
 * and NB on SpamAssassin (80/20 stratified split, seed 1), the float-vs-fixed-point agreement at 16
 * and 8 weight bits, the K = 4 CMUdict syllable set, and (full mode) the demo's quality ladder.
 */
const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;

function timed<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = fn();
  return { value, wallMs: round(performance.now() - t, 1), cpuMs: round(process.cpuUsage(c).user / 1000, 1) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

type Job = { name: string; spec: FeaturizerSpec; fit: (X: Parameters<typeof trainLogReg>[0], y: Int32Array) => ExportableModel };

function runDataset(dataset: Dataset, jobs: Job[], repeats: number, bitsList: number[]): object[] {
  const { train, test } = trainTestSplit(dataset, { seed: 1, testFraction: 0.2 });
  const ytr = labelsOf(train.items), yte = labelsOf(test.items);
  const cache = new Map<string, ReturnType<typeof featurize>>();
  function featurize(spec: FeaturizerSpec) {
    const f = makeFeaturizer(spec);
    const t = timed(() => ({ Xtr: f.transformAll(train.items), Xte: f.transformAll(test.items) }));
    return { ...t.value, featurizeMs: t.wallMs };
  }
  const out: object[] = [];
  for (const job of jobs) {
    const key = JSON.stringify(job.spec);
    if (!cache.has(key)) cache.set(key, featurize(job.spec));
    const { Xtr, Xte, featurizeMs } = cache.get(key)!;
    const runs = Array.from({ length: repeats }, () => timed(() => job.fit(Xtr, ytr)));
    const model = runs[0].value;
    const e = evaluate(predictProbaAll(model, Xte), yte);
    const quantized = bitsList.map((weightBits) => {
      const a = toArtifact(model, { name: job.name, featurizer: job.spec, labels: dataset.labels, weightBits });
      const agree = checkAgreement(model, a, Xte, yte);
      const fe = evaluate(predictProbaAll(fixedClassifier(a), Xte), yte);
      return {
        weightBits, scaleBits: a.scaleBits, agreement: round(agree.rate), fixedAccuracy: round(fe.accuracy), fixedLogLoss: round(fe.logLoss),
        accuracyDropPoints: round((e.accuracy - fe.accuracy) * 100, 2),
      };
    });
    out.push({
      model: job.name,
      featurizer: job.spec,
      trainRows: Xtr.rows, testRows: Xte.rows, featurizeMs,
      trainWallMs: median(runs.map((r) => r.wallMs)), trainCpuMs: median(runs.map((r) => r.cpuMs)),
      accuracy: round(e.accuracy), logLoss: round(e.logLoss), brier: round(e.brier), ece: round(e.ece), macroF1: round(e.macroF1),
      ...(e.f1 !== undefined ? { f1: round(e.f1) } : {}),
      quantized,
    });
  }
  return out;
}

export async function run(options: BenchOptions): Promise<object> {
  const quick = options.quick ?? false;
  const load = timed(() => loadSpamAssassinWithStats());
  const { dataset: spam, stats } = load.value;
  const text = hashedNgramSpec();
  const counts = hashedNgramSpec({ transform: 'log1p' });
  const binary64k = hashedNgramSpec({ transform: 'binary', buckets: 1 << 16 });
  const text64k = hashedNgramSpec({ buckets: 1 << 16 });
  const spamJobs: Job[] = [
    { name: 'logreg-64k', spec: text64k, fit: (X, y) => trainLogReg(X, y, { seed: 1 }) },
    { name: 'logreg-16k', spec: text, fit: (X, y) => trainLogReg(X, y, { seed: 1 }) },
    { name: 'mlp-h16', spec: counts, fit: (X, y) => trainMlp(X, y, { seed: 1 }) },
    { name: 'naive-bayes', spec: counts, fit: (X, y) => trainNaiveBayes(X, y) },
    // 8-bit candidate: presence features keep inputs at 1·2^F, so a small F still resolves them.
    { name: 'logreg-64k-binary', spec: binary64k, fit: (X, y) => trainLogReg(X, y, { seed: 1, learningRate: 0.1, l2: 1e-3, epochs: 3 }) },
  ];
  const spamResults = runDataset(spam, spamJobs, quick ? 1 : 3, [16, 8]);
  const syllables = loadJsonlDataset(new URL('../data/cmudict-syllables.jsonl', import.meta.url).pathname);
  const letters = hashedNgramSpec({ ngrams: [1, 2, 3], buckets: 1 << 12 });
  const syllableResults = runDataset(
    syllables,
    [
      { name: 'logreg', spec: letters, fit: (X, y) => trainLogReg(X, y, { seed: 1 }) },
      { name: 'mlp-h32', spec: letters, fit: (X, y) => trainMlp(X, y, { seed: 1, hidden: 32, epochs: 8 }) },
      { name: 'naive-bayes', spec: hashedNgramSpec({ ngrams: [1, 2, 3], buckets: 1 << 12, transform: 'log1p' }), fit: (X, y) => trainNaiveBayes(X, y) },
    ],
    1,
    [16],
  );
  let ladder: object[] | undefined;
  let splits: object[] | undefined;
  if (!quick) {
    // The accuracy target must hold on more than one lucky split.
    splits = [text64k, text].map((spec) => {
      const f = makeFeaturizer(spec, { cache: true });
      const accs = [1, 2, 3, 4, 5].map((seed) => {
        const { train, test } = trainTestSplit(spam, { seed });
        const m = trainLogReg(f.transformAll(train.items), labelsOf(train.items), { seed: 1 });
        return evaluate(predictProbaAll(m, f.transformAll(test.items)), labelsOf(test.items)).accuracy;
      });
      return { buckets: (spec as { buckets: number }).buckets, splitSeeds: [1, 2, 3, 4, 5], accuracy: accs.map((a) => round(a)), mean: round(accs.reduce((a, b) => a + b) / accs.length), min: round(Math.min(...accs)) };
    });
    const { train, test } = trainTestSplit(spam, { seed: 2 });
    const yte = labelsOf(test.items);
    ladder = await Promise.all(qualityLadder().map(async (recipe) => {
      const t = timed(() => trainRecipe(recipe, spam, train.items, 1));
      const e = evaluate(test.items.map((it) => t.value.predictProba(it)), yte);
      return { recipe: recipe.name, totalMs: t.wallMs, accuracy: round(e.accuracy), logLoss: round(e.logLoss), hash: await modelHashOf(t.value.artifact) };
    }));
  }
  return {
    spam: { loadMs: load.wallMs, stats, models: spamResults },
    cmudictSyllables: { items: syllables.items.length, classes: syllables.labels, models: syllableResults },
    ...(splits ? { spamLogRegAcrossSplits: splits } : {}),
    ...(ladder ? { qualityLadderSpam: ladder } : {}),
    note: 'train*Ms: one thread; median of 3 runs (1 with --quick). accuracyDropPoints = float − fixed accuracy, in points.',
  };
}
