/**
 * `hindsight fl controller` and `hindsight fl run`: a data controller and a task operator taking
 * part in a federated task over a node (src/sdk/fl-controller.ts, src/sdk/fl-coordinator.ts).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { expectedGot } from '../../core/errors.js';
import { printResult } from '../output.js';
import { signerFrom } from '../context.js';

/** A JSONL file of {text, label} examples (label 0/1), the controller's own mailbox shard. */
export function readExamples(path: string): { text: string; label: number }[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.map((line, k) => {
    let row: { text?: unknown; label?: unknown };
    try {
      row = JSON.parse(line) as typeof row;
    } catch {
      throw expectedGot('cli.invalid', `${path}:${k + 1}`, 'a JSON object {text, label}', line.slice(0, 40));
    }
    if (typeof row.text !== 'string' || !(row.label === 0 || row.label === 1)) throw expectedGot('cli.invalid', `${path}:${k + 1}`, '{"text": string, "label": 0 or 1}', line.slice(0, 60));
    return { text: row.text, label: row.label };
  });
}

function int(field: string, text: string, min: number): number {
  const v = Number(text);
  if (!(Number.isInteger(v) && v >= min)) throw expectedGot('cli.invalid', field, `an integer ≥ ${min}`, text);
  return v;
}

export function registerFlNode(fl: Command): void {
  fl.command('controller')
    .description('take part in a federated task as a data controller: join, train locally each round, secure aggregation through the node')
    .requiredOption('--node <url>', 'the node (hindsight node start)')
    .requiredOption('--key <file>', "the controller's key file")
    .requiredOption('--task <id>', 'the task id')
    .option('--data <file.jsonl>', 'local examples {text, label}; they never leave this process')
    .option('--vault <dir>', "a member's encrypted data store (hindsight data put): its shards, decrypted locally")
    .option('--behaviour <kind>', 'honest | noise | dropout (tests and demos)', 'honest')
    .option('--drop-round <n>', 'dropout: the round to leave in, after sharing keys', '1')
    .option('--seed <n>', 'seed of local training and noise', '1')
    .option('--timeout <ms>', 'how long to wait for the task or a stage', '60000')
    .option('--json', 'print one JSON object')
    .action(async (opts: { node: string; key: string; task: string; data?: string; vault?: string; behaviour: string; dropRound: string; seed: string; timeout: string; json?: boolean }) => {
      if (!['honest', 'noise', 'dropout'].includes(opts.behaviour)) throw expectedGot('cli.invalid', 'behaviour', 'honest, noise or dropout', opts.behaviour);
      if ((opts.data === undefined) === (opts.vault === undefined)) throw expectedGot('cli.invalid', '--data / --vault', 'exactly one of them', opts.data && opts.vault ? 'both' : 'neither');
      const signer = signerFrom(opts);
      let examples: { text: string; label: number }[];
      if (opts.data !== undefined) examples = readExamples(opts.data);
      else {
        const { DataVault } = await import('../../fl/data/vault.js');
        examples = DataVault.open(opts.vault!).readAllExamples();
      }
      const { runController } = await import('../../sdk/fl-controller.js');
      const report = await runController({
        node: opts.node, signer, task: opts.task, examples, behaviour: opts.behaviour as 'honest' | 'noise' | 'dropout',
        dropRound: int('drop-round', opts.dropRound, 1), seed: int('seed', opts.seed, 0), timeoutMs: int('timeout', opts.timeout, 1),
        log: opts.json ? undefined : (line) => process.stderr.write(`${line}\n`),
      });
      printResult(report, opts, () => `${report.did} slot ${report.slot}: ${report.rounds.length} rounds${report.droppedOut ? ' (dropped out)' : ''}, earned ${report.earned} micro-units, sent ${report.sentBytes} bytes`);
    });

  fl.command('run')
    .description('operate a federated task over a node: post fl.task (budget escrowed), run secure aggregation per group each round, pay controllers at the end')
    .requiredOption('--node <url>', 'the node')
    .requiredOption('--key <file>', "the operator's key file")
    .requiredOption('--task <id>', 'a new task id')
    .requiredOption('--controllers <n>', 'cohort size: the first n controllers to join')
    .requiredOption('--validation <file.jsonl>', "the operator's own labelled examples {text, label} (values each group's sum)")
    .option('--rounds <n>', 'rounds', '5')
    .option('--budget <units>', 'paid out to controllers by the contribution rule', '100')
    .option('--buckets <n>', 'hashed n-gram buckets (a power of two)', '1024')
    .option('--groups <n>', 'SecAgg groups per round (payment groups)', '2')
    .option('--clip <norm>', 'L2 clip bound of each update', '1')
    .option('--noise-std <std>', "Gaussian noise std each controller adds (distributed DP; fl.task records the σ of the smallest sum a group can release)", '0.05')
    .option('--min-survivors <n>', 'fewest survivors whose group sum is unmasked (the SecAgg threshold is raised to it); default: whatever the threshold gives, as few as 2')
    .option('--stage-timeout <ms>', 'how long a stage waits for its last expected message', '5000')
    .option('--json', 'print one JSON object')
    .action(async (opts: { node: string; key: string; task: string; controllers: string; validation: string; rounds: string; budget: string; buckets: string; groups: string; clip: string; noiseStd: string; minSurvivors?: string; stageTimeout: string; json?: boolean }) => {
      const { parseUnits } = await import('../../core/money.js');
      const { hashedNgramSpec, makeFeaturizer } = await import('../../ml/features/featurizer.js');
      const { csrFromRows } = await import('../../ml/features/sparse.js');
      const { runCoordinator } = await import('../../sdk/fl-coordinator.js');
      const { smallestGroup, smallestReleasableSum } = await import('../../fl/net/protocol.js');
      const { sumNoiseMultiplier } = await import('../../fl/privacy/distributed-noise.js');
      const buckets = int('buckets', opts.buckets, 2);
      if ((buckets & (buckets - 1)) !== 0) throw expectedGot('cli.invalid', 'buckets', 'a power of two', opts.buckets);
      const real = (field: string, text: string) => {
        const v = Number(text);
        if (!(Number.isFinite(v) && v >= 0)) throw expectedGot('cli.invalid', field, 'a non-negative number', text);
        return v;
      };
      const featurizer = hashedNgramSpec({ buckets });
      const f = makeFeaturizer(featurizer);
      const examples = readExamples(opts.validation);
      const validation = { X: csrFromRows(examples.map((e) => f.transform({ text: e.text })), f.dim), y: Int32Array.from(examples, (e) => e.label) };
      const clipNorm = real('clip', opts.clip);
      const recipe = { family: 'logreg' as const, featurizer, dim: f.dim + 1, epochs: 2, learningRate: 2, batchSize: 8, clipNorm, biasClip: 0.1 * clipNorm, noiseStd: real('noise-std', opts.noiseStd), coordinateBound: 3 * Math.max(clipNorm, 1), groups: int('groups', opts.groups, 1), thresholdFraction: 0.5, ...(opts.minSurvivors === undefined ? {} : { minSurvivors: int('min-survivors', opts.minSurvivors, 2) }) };
      const controllers = int('controllers', opts.controllers, 3);
      const floor = smallestReleasableSum(recipe, smallestGroup(controllers, recipe.groups));
      if (floor === undefined) throw expectedGot('cli.invalid', opts.minSurvivors === undefined ? 'groups' : 'min-survivors', opts.minSurvivors === undefined ? 'groups of at least three controllers' : `at most the smallest group's ${smallestGroup(controllers, recipe.groups) - 1} neighbours`, opts.minSurvivors ?? opts.groups);
      const result = await runCoordinator({
        node: opts.node, signer: signerFrom(opts), task: opts.task, recipe, rounds: int('rounds', opts.rounds, 1), budget: parseUnits(opts.budget, 'budget'),
        controllers, validation,
        // σ of the smallest group sum the protocol can release: the noise of that many members, relative to the clip bound.
        noiseMultiplier: sumNoiseMultiplier({ noiseStd: recipe.noiseStd, sensitivity: clipNorm, summands: floor }), delta: 1e-5, stageTimeoutMs: int('stage-timeout', opts.stageTimeout, 1),
        log: opts.json ? undefined : (line) => process.stderr.write(`${line}\n`),
      });
      const summary = { task: opts.task, rounds: result.rounds.map((r) => ({ round: r.round, included: r.included.length, dropped: r.dropped.length, validationAccuracy: r.validationAccuracy })), paid: result.paid.toString(), payments: result.payments.map((p) => ({ did: p.did, amount: p.amount.toString() })), model: result.modelBlob };
      printResult(summary, opts, () => `task ${opts.task}: ${result.rounds.length} rounds, paid ${result.paid} micro-units to ${result.payments.length} controllers, final model blob ${result.modelBlob}`);
    });
}
