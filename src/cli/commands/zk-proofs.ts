import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { modelHashOf } from '../../ml/artifact.js';
import { eventTime, signerFrom, withEngine, withSignerFlags, withStoreFlags, type StoreFlags } from '../context.js';
import { printResult } from '../output.js';
import { committedSlots, loadModelDir, proveItems, publishModel, withProver } from '../proof-trading.js';

type SignerFlags = StoreFlags & { key: string };

/** `zk publish` and `zk prove`: a provable model's key into the log, and round batch proofs to a file. */
export function registerProofCommands(zk: Command): void {
  withSignerFlags(zk.command('publish').description('publish a provable model: its verification key (zk.vkey) and model.commit with that key and its featurizer'))
    .requiredOption('--model <dir>', 'model directory (model.json) or artifact file: logistic regression or MLP')
    .option('--name <name>', 'display name (default: the artifact name)')
    .option('--arch <architecture>', 'architecture description')
    .option('--batch-items <n>', 'slots of the round batch circuit (sealed trading)', '16')
    .option('--ptau <file>', 'powers-of-tau ceremony file (default: insecure development ptau)')
    .action(async (opts: SignerFlags & { model: string; name?: string; arch?: string; batchItems: string; ptau?: string }) => {
      const a = loadModelDir(opts.model);
      const slots = Number(opts.batchItems);
      if (!Number.isInteger(slots) || slots < 1 || slots > 4096) throw new ValidationError('cli.invalid', `--batch-items: expected an integer in 1..4096, got ${opts.batchItems}`, { field: 'batch-items' });
      const result = await withProver(() => withEngine(opts, (engine) => publishModel(engine, signerFrom(opts), eventTime(opts), a, { name: opts.name ?? a.name, architecture: opts.arch, batchItems: slots, ptau: opts.ptau })));
      printResult(result, opts);
    });

  withStoreFlags(zk.command('prove').description('round batch proofs of a model on items of a round, written to a file for `trade reveal --proof-file`'))
    .requiredOption('--model <dir>', 'model directory or artifact file')
    .requiredOption('--round <n>', 'round number')
    .requiredOption('--items <ids>', 'comma-separated item ids')
    .requiredOption('--out <file>', 'where to write {batches: [...]}')
    .option('--items-file <file>', 'JSON lines {"id","text"}: prove on these texts instead of the published ones')
    .option('--slots <n>', 'batch slots (default: those of the key the model hash was committed with, else 16)')
    .action(async (opts: StoreFlags & { model: string; round: string; items: string; out: string; itemsFile?: string; slots?: string }) => {
      const a = loadModelDir(opts.model);
      const texts = new Map<string, string>();
      if (opts.itemsFile) {
        for (const line of readFileSync(opts.itemsFile, 'utf8').split('\n').filter((l) => l.trim())) {
          const row = JSON.parse(line) as { id: string; text: string };
          texts.set(row.id, row.text);
        }
      }
      const hash = await modelHashOf(a);
      const batches = await withProver(() =>
        withEngine(opts, (engine) => proveItems(engine, a, Number(opts.round), opts.items.split(','), texts, opts.slots ? Number(opts.slots) : committedSlots(engine, hash))),
      );
      writeFileSync(opts.out, `${JSON.stringify({ model: hash, batches })}\n`);
      printResult({ model: hash, batches: batches.length, items: batches.reduce((n, b) => n + b.items.length, 0), out: opts.out }, opts);
    });
}
