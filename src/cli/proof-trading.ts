/**
 * The command line's side of trading with proofs (`model commit --model`, `zk publish`, `zk prove`,
 * `trade commit --proof`, `trade reveal --proof`): publish a provable model's key and featurizer,
 * compute the belief the circuit proves, and prove a round's items in one batch (sealed trading) or
 * one item per trade (continuous). Loaded only by the commands that prove, so other commands do not
 * import the ZK toolchain.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError, expectedGot } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import type { Signer } from '../events/keys.js';
import { fixedScores, loadArtifact } from '../ml/artifact.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { beliefFromScores } from '../statement/index.js';
import { terminateCurve } from '../zk/curve.js';
import { inputSpecOf } from '../zk/input-spec.js';
import { itemIntegerInput, type PublishedInput } from '../zk/item-input.js';
import { commitFields, isProvable, proveRound, proveTrade, provingKit, DEFAULT_BATCH_ITEMS, type ZkBatchPayload } from '../zk/provable.js';
import { submitAs } from './context.js';

export function loadModelDir(dirOrFile: string): ModelArtifact {
  const p = existsSync(dirOrFile) && statSync(dirOrFile).isDirectory() ? join(dirOrFile, 'model.json') : dirOrFile;
  if (!existsSync(p)) throw new ValidationError('cli.invalid', `--model: expected a model directory with model.json or an artifact file, got ${JSON.stringify(dirOrFile)}`, { field: 'model' });
  const a = loadArtifact(p);
  if (!isProvable(a)) throw expectedGot('zk.notProvable', 'model', 'a logistic regression, MLP or imported net artifact (ZK-capable)', (a as { arch?: { kind?: string } }).arch?.kind);
  return a;
}

/** Runs `f` and stops snarkjs's curve workers afterwards, so the command exits. */
export async function withProver<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } finally {
    await terminateCurve();
  }
}

function mode(engine: Engine): 'batch' | 'single' {
  return engine.state.community?.config.trading === 'continuous' ? 'single' : 'batch';
}

/**
 * Publishes the model's verification key (unless already in the log) and commits the model with it
 * and its featurizer: a batch key for sealed trading, a one-item key for continuous trading.
 */
export async function publishModel(
  engine: Engine,
  signer: Signer,
  time: number,
  a: ModelArtifact,
  options: { name: string; architecture?: string; batchItems?: number; ptau?: string },
): Promise<Record<string, unknown>> {
  const kit = await provingKit(a, { mode: mode(engine), items: options.batchItems ?? DEFAULT_BATCH_ITEMS, ptau: options.ptau });
  const events: [string, Record<string, unknown>][] = [];
  if (!engine.state.vkeys.has(kit.keyId)) events.push(['zk.vkey', kit.key]);
  events.push(['model.commit', { ...commitFields(kit), architecture: options.architecture ?? `${a.arch.kind} ${a.featurizer.kind}`, name: options.name }]);
  const cids = await submitAs(engine, signer, time, events);
  return {
    cid: cids[cids.length - 1],
    modelHash: kit.modelHash,
    vkey: kit.keyId,
    keyPublished: events.length === 2,
    mode: kit.mode,
    slots: kit.key.layout.items,
    constraints: kit.circuit.circuit.constraints,
    insecure: kit.circuit.setup.insecure,
  };
}

function publishedInput(engine: Engine, round: number, item: string): PublishedInput {
  const it = engine.state.rounds.get(round)?.items.get(item);
  if (!it) throw new ValidationError('item.unknown', `--item: expected an item of round ${round}, got ${item}`, { field: 'item' });
  return it.input;
}

/** The belief the model's circuit proves on a published item (no proving: the same fixed-point scores). */
export function provenBeliefOf(engine: Engine, a: ModelArtifact, round: number, item: string): number[] {
  const x = itemIntegerInput(a.featurizer, { scaleBits: a.scaleBits, input: inputSpecOf(a) }, publishedInput(engine, round, item));
  return beliefFromScores(fixedScores(a, x), a.scaleBits).map(Number);
}

/** A proof for one continuous trade on a published item, and the belief it proves. */
export async function proveOneTrade(engine: Engine, a: ModelArtifact, round: number, item: string): Promise<{ proof: unknown; belief: number[] }> {
  const kit = await provingKit(a, { mode: 'single' });
  const { proof, belief } = await proveTrade(kit, publishedInput(engine, round, item));
  return { proof, belief: belief.map(Number) };
}

/**
 * Round batch proofs of `a` on items of a round: their published inputs, or `texts` instead where
 * given (`zk prove --items-file`, to show what the node refuses). Slots = the committed key's.
 */
export async function proveItems(engine: Engine, a: ModelArtifact, round: number, ids: readonly string[], texts: ReadonlyMap<string, string> = new Map(), batchItems?: number): Promise<ZkBatchPayload[]> {
  const kit = await provingKit(a, { mode: 'batch', items: batchItems ?? DEFAULT_BATCH_ITEMS });
  const items = ids.map((id) => ({ id, input: texts.has(id) ? { text: texts.get(id)! } : publishedInput(engine, round, id) }));
  return proveRound(kit, round, items);
}

/** Batch slots of the key a committed model names (so proofs fit the published key). */
export function committedSlots(engine: Engine, modelHash: string): number | undefined {
  const m = engine.state.models.get(modelHash);
  return m?.vkey ? engine.state.vkeys.get(m.vkey)?.layout.items : undefined;
}

export function readBatchFile(path: string): ZkBatchPayload[] {
  let v: { batches?: ZkBatchPayload[] };
  try {
    v = JSON.parse(readFileSync(path, 'utf8')) as { batches?: ZkBatchPayload[] };
  } catch (e) {
    throw new ValidationError('cli.invalid', `--proof-file: expected the JSON written by "zk prove", got ${(e as Error).message}`, { field: 'proof-file' }, { cause: e });
  }
  if (!Array.isArray(v?.batches)) throw new ValidationError('cli.invalid', '--proof-file: expected {"batches": [...]} as written by "zk prove", got no batches list', { field: 'proof-file' });
  return v.batches;
}
