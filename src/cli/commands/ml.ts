import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { printResult } from '../output.js';
import {
  checkAgreement, fixedClassifier, fixedPredict, fixedProba, fixedScores, labelsOf, loadArtifact, loadJsonlDataset, loadSpamAssassinWithStats,
  makeFeaturizer, metrics, modelHashOf, predictProbaAll, quantizeFeatures, saveArtifact, toArtifact, trainLogReg, trainMlp, trainNaiveBayes,
  trainTestSplit, featurizerSpecFor, type Dataset, type ExportableModel,
} from '../../ml/index.js';

/** `hindsight ml …`: train a model on a dataset into a fixed-point artifact, inspect datasets, predict. */
function loadDataset(name: string): Dataset {
  if (name === 'spam' || name === 'spam-assassin') return loadSpamAssassinWithStats().dataset;
  return loadJsonlDataset(name);
}

function intOption(value: string, field: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new ValidationError('cli.invalid', `${field}: expected an integer, got ${JSON.stringify(value)}`, { field });
  return n;
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

type TrainOpts = {
  dataset: string; family: string; buckets?: string; ngrams?: string; transform?: string; hidden?: string; epochs?: string;
  weightBits: string; seed: string; testFraction: string; out?: string; name?: string; json?: boolean;
};

export function register(program: Command): void {
  const ml = program.command('ml').description('datasets, training and fixed-point model artifacts');

  ml.command('datasets')
    .description('summarize the built-in SpamAssassin corpus (or given JSONL files)')
    .argument('[files...]', 'JSONL datasets to summarize as well')
    .option('--json', 'print one JSON object as the last line')
    .action((files: string[], opts: { json?: boolean }) => {
      const { dataset, stats } = loadSpamAssassinWithStats();
      const summary = (d: Dataset) => ({ name: d.name, kind: d.kind, items: d.items.length, labels: d.labels, ...(d.featureSize ? { featureSize: d.featureSize } : {}) });
      printResult({ datasets: [{ ...summary(dataset), stats }, ...files.map((f) => summary(loadJsonlDataset(f)))] }, opts);
    });

  ml.command('train')
    .description('train on a seeded split, evaluate float and fixed point, save the artifact')
    .requiredOption('--dataset <name>', '"spam" or a JSONL file')
    .option('--family <family>', 'logreg | mlp | naive-bayes', 'logreg')
    .option('--buckets <n>', 'hashed n-gram buckets (text datasets)')
    .option('--ngrams <list>', 'n-gram orders, e.g. 1,2')
    .option('--transform <t>', 'binary | log1p | tf-l2')
    .option('--hidden <n>', 'MLP hidden units')
    .option('--epochs <n>', 'training epochs')
    .option('--weight-bits <n>', 'signed bits per fixed-point weight', '16')
    .option('--seed <n>', 'seed for split and training', '1')
    .option('--test-fraction <f>', 'held-out fraction', '0.2')
    .option('--name <name>', 'artifact name')
    .option('--out <file>', 'write the artifact (canonical JSON) here')
    .option('--json', 'print one JSON object as the last line')
    .action(async (opts: TrainOpts) => {
      const dataset = loadDataset(opts.dataset);
      const seed = intOption(opts.seed, 'seed');
      const family = opts.family;
      if (!['logreg', 'mlp', 'naive-bayes'].includes(family)) {
        throw new ValidationError('cli.invalid', `family: expected logreg, mlp or naive-bayes, got ${JSON.stringify(family)}`, { field: 'family' });
      }
      const overrides = {
        ...(opts.buckets ? { buckets: intOption(opts.buckets, 'buckets') } : {}),
        ...(opts.ngrams ? { ngrams: opts.ngrams.split(',').map((s) => intOption(s, 'ngrams')) } : {}),
        ...(opts.transform ? { transform: opts.transform as 'binary' | 'log1p' | 'tf-l2' } : family === 'logreg' ? {} : { transform: 'log1p' as const }),
      };
      const spec = featurizerSpecFor(dataset, overrides);
      const featurizer = makeFeaturizer(spec);
      const { train, test } = trainTestSplit(dataset, { seed, testFraction: Number(opts.testFraction) });
      const Xtr = featurizer.transformAll(train.items), Xte = featurizer.transformAll(test.items);
      const ytr = labelsOf(train.items), yte = labelsOf(test.items);
      const epochs = opts.epochs ? intOption(opts.epochs, 'epochs') : undefined;
      const t0 = performance.now();
      const model: ExportableModel =
        family === 'logreg'
          ? trainLogReg(Xtr, ytr, { seed, epochs, classes: dataset.labels.length })
          : family === 'mlp'
            ? trainMlp(Xtr, ytr, { seed, epochs, classes: dataset.labels.length, hidden: opts.hidden ? intOption(opts.hidden, 'hidden') : undefined })
            : trainNaiveBayes(Xtr, ytr, { classes: dataset.labels.length });
      const trainMs = performance.now() - t0;
      const artifact = toArtifact(model, { name: opts.name ?? `${dataset.name}-${family}`, featurizer: spec, labels: dataset.labels, weightBits: intOption(opts.weightBits, 'weight-bits') });
      const floatEval = metrics.evaluate(predictProbaAll(model, Xte), yte);
      const fixedEval = metrics.evaluate(predictProbaAll(fixedClassifier(artifact), Xte), yte);
      const agreement = checkAgreement(model, artifact, Xte);
      const hash = opts.out ? await saveArtifact(opts.out, artifact) : await modelHashOf(artifact);
      const round = (e: typeof floatEval) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, r4(v as number)]));
      printResult(
        {
          hash, name: artifact.name, dataset: dataset.name, family, featurizer: spec, trainRows: Xtr.rows, testRows: Xte.rows, trainMs: Math.round(trainMs),
          scaleBits: artifact.scaleBits, weightBits: artifact.weightBits, float: round(floatEval), fixed: round(fixedEval), agreement: r4(agreement.rate),
          ...(opts.out ? { out: opts.out } : {}),
        },
        opts,
        (r) => {
          const x = r as { hash: string; float: { accuracy: number; logLoss: number }; fixed: { accuracy: number; logLoss: number }; agreement: number };
          return `${artifact.name}  ${x.hash}\n  float: accuracy ${x.float.accuracy}  log loss ${x.float.logLoss}\n  fixed: accuracy ${x.fixed.accuracy}  log loss ${x.fixed.logLoss}  (argmax agreement ${x.agreement}, F=${artifact.scaleBits}, ${artifact.weightBits}-bit)${opts.out ? `\n  saved ${opts.out}` : ''}`;
        },
      );
    });

  ml.command('predict')
    .description('run the fixed-point model of an artifact on one input')
    .requiredOption('--model <file>', 'artifact JSON')
    .option('--text <text>', 'text input')
    .option('--features <list>', 'comma-separated numbers')
    .option('--json', 'print one JSON object as the last line')
    .action(async (opts: { model: string; text?: string; features?: string; json?: boolean }) => {
      const artifact = loadArtifact(opts.model);
      if ((opts.text === undefined) === (opts.features === undefined)) {
        throw new ValidationError('cli.invalid', 'input: expected exactly one of --text or --features, got ' + (opts.text === undefined ? 'neither' : 'both'), { field: 'input' });
      }
      const item = opts.text !== undefined ? { text: opts.text } : { features: opts.features!.split(',').map(Number) };
      const xInt = quantizeFeatures(artifact, makeFeaturizer(artifact.featurizer).transform(item));
      const cls = fixedPredict(artifact, xInt);
      const probs = fixedProba(artifact, xInt);
      printResult(
        {
          hash: await modelHashOf(artifact), label: artifact.labels[cls], classIndex: cls,
          probabilities: Object.fromEntries(artifact.labels.map((l, k) => [l, r4(probs[k])])),
          scores: fixedScores(artifact, xInt).map(String),
        },
        opts,
      );
    });
}
