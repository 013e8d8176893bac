/**
 * What an operator (CLI, SDK, demo) needs to trade with proofs: whether its model can be proven,
 * the key to publish (`zk.vkey`) and the `model.commit` fields that bind it, and the proofs for the
 * items it trades — one round batch proof (sealed trading) or one proof per trade (continuous).
 * Beliefs come from the same fixed-point scores the proof proves, so they are exactly what the
 * node recomputes (`beliefFromScores`).
 */
import { expectedGot } from '../core/errors.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { fixedScores, modelHashOf } from '../ml/artifact.js';
import { beliefFromScores, decodePublicSignals, zkKeyId, type ProofKey } from '../statement/index.js';
import { buildBatchCircuit, proveBatch, type BatchProof } from './batch.js';
import { buildModelCircuit, proveInference, type ModelCircuit } from './inference.js';
import { itemIntegerInput, type PublishedInput } from './item-input.js';

/** Artifacts whose inference the circuit generator covers: logistic regression, the MLP, and imported nets. */
export function isProvable(a: unknown): a is ModelArtifact {
  const art = a as { format?: string; arch?: { kind?: string } } | undefined;
  return art?.format === 'hindsight-model/1' && ['logreg', 'mlp', 'net'].includes(art.arch?.kind ?? '');
}

export type ProvingKit = {
  artifact: ModelArtifact;
  modelHash: string;
  circuit: ModelCircuit;
  /** The `zk.vkey` payload and its id (what `model.commit.vkey` names). */
  key: ProofKey;
  keyId: string;
  /** `batch`: a batch key (fold; digest for nets) for one proof per round; `single`: a hash key for one proof per trade. */
  mode: 'batch' | 'single';
};

export type KitOptions = { mode: 'batch' | 'single'; items?: number; ptau?: string };

/** Default slots of a round batch circuit (an operator trading more items sends several batches). */
export const DEFAULT_BATCH_ITEMS = 16;

export async function provingKit(a: ModelArtifact, options: KitOptions): Promise<ProvingKit> {
  if (!isProvable(a)) throw expectedGot('zk.notProvable', 'model', 'a logistic regression, MLP or imported net artifact (ZK-capable)', (a as { arch?: { kind?: string } }).arch?.kind);
  const circuit =
    options.mode === 'batch'
      ? await buildBatchCircuit(a, { items: options.items ?? DEFAULT_BATCH_ITEMS, ptau: options.ptau })
      : await buildModelCircuit(a, { items: 1, binding: 'hash', ptau: options.ptau });
  const key = { vkey: circuit.setup.vkey, layout: circuit.layout };
  return { artifact: a, modelHash: await modelHashOf(a), circuit, key, keyId: zkKeyId(key), mode: options.mode };
}

/** The `model.commit` fields that bind a provable model: its key and its featurizer. */
export function commitFields(kit: ProvingKit): { modelHash: string; vkey: string; featurizer: ModelArtifact['featurizer'] } {
  return { modelHash: kit.modelHash, vkey: kit.keyId, featurizer: kit.artifact.featurizer };
}

/** The integer input of a published item as the node derives it (text through the committed featurizer). */
export function kitInput(kit: ProvingKit, input: PublishedInput): bigint[] {
  return itemIntegerInput(kit.artifact.featurizer, kit.circuit.layout, input);
}

/** The belief the proven model trades on an item (computed without proving). */
export function provenBelief(kit: ProvingKit, input: PublishedInput): bigint[] {
  return beliefFromScores(fixedScores(kit.artifact, kitInput(kit, input)), kit.circuit.layout.scaleBits);
}

export type ZkBatchPayload = { round: number; model: string; items: string[]; batch: BatchProof };

/** `zk.batch` payloads covering `items` (one per batch of up to the circuit's slots). */
export async function proveRound(kit: ProvingKit, round: number, items: readonly { id: string; input: PublishedInput }[]): Promise<ZkBatchPayload[]> {
  if (kit.mode !== 'batch') throw expectedGot('zk.layoutUnsupported', 'kit', 'a batch kit', kit.mode);
  const out: ZkBatchPayload[] = [];
  for (let i = 0; i < items.length; i += kit.circuit.layout.items) {
    const chunk = items.slice(i, i + kit.circuit.layout.items);
    const batch = await proveBatch(kit.circuit, kit.artifact, chunk.map((it) => kitInput(kit, it.input)));
    out.push({ round, model: kit.modelHash, items: chunk.map((it) => it.id), batch });
  }
  return out;
}

/** One proof for one trade (continuous markets): the attachment and the belief it proves. */
export async function proveTrade(kit: ProvingKit, input: PublishedInput): Promise<{ proof: { proof: BatchProof['proof']; publicSignals: string[] }; belief: bigint[] }> {
  if (kit.mode !== 'single') throw expectedGot('zk.layoutUnsupported', 'kit', 'a single-trade kit', kit.mode);
  const p = await proveInference(kit.circuit, kit.artifact, [kitInput(kit, input)]);
  const { scores } = decodePublicSignals(kit.key.layout, p.publicSignals).items[0]!;
  return { proof: { proof: p.proof, publicSignals: p.publicSignals }, belief: beliefFromScores(scores, kit.key.layout.scaleBits) };
}
