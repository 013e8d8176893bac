import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { loadArtifact, modelHashOf } from '../ml/artifact.js';
import { leaderboard } from '../game/leaderboard.js';
import type { GameState } from '../game/state.js';
import { HttpError } from './http-errors.js';

/**
 * Largest feature magnitude: features are scaled by 2^scaleBits before they become integers, and a
 * value near the double range would scale to Infinity, which no integer stands for.
 */
const MAX_FEATURE = 2 ** 53;

export const PredictBody = z.strictObject({
  input: z.union([
    z.strictObject({ text: z.string().max(65_536) }),
    z.strictObject({ features: z.array(z.number().min(-MAX_FEATURE).max(MAX_FEATURE)).max(65_536) }),
  ]),
  /** A model hash this node holds; absent = the best-ranked model on the leaderboard that it holds. */
  model: z.string().max(130).optional(),
  prove: z.boolean().default(false),
});
export type PredictRequest = z.infer<typeof PredictBody>;

type Held = { artifact: ModelArtifact; hash: string };

/**
 * Inference as a service: a node serves the models whose artifacts its operator gave it
 * (`node start --models DIR`), routes a request to the leaderboard's best-ranked one among them
 * (P&L as of the last settled round), and answers with the prediction, the model hash and, on
 * request, a Groth16 proof that the answer came from that committed model.
 */
export class InferenceService {
  readonly #byHash = new Map<string, Held>();
  /** Set once a proof was asked for: proving starts snarkjs's BN254 engine and its worker threads. */
  #proved = false;

  private constructor(models: Held[]) {
    for (const held of models) this.#byHash.set(held.hash, held);
  }

  /** Each model is known by its model hash (the Poseidon weight commitment it is committed and proven under). */
  static async create(artifacts: ModelArtifact[]): Promise<InferenceService> {
    return new InferenceService(await Promise.all(artifacts.map(async (artifact) => ({ artifact, hash: await modelHashOf(artifact) }))));
  }

  static async fromDir(dir: string): Promise<InferenceService> {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    if (files.length === 0) throw new ValidationError('predict.noModels', `--models ${dir}: expected model artifact .json files, got none`, { field: 'models' });
    return InferenceService.create(files.map((f) => loadArtifact(join(dir, f))));
  }

  /** The model to answer with: the requested one, else the best-ranked held model, else the first held by hash. */
  route(state: GameState, requested?: string): { held: Held; rule: 'requested' | 'leaderboard' | 'held' } {
    if (requested !== undefined) {
      const held = this.#byHash.get(requested);
      if (!held) throw new HttpError(404, 'predict.unknownModel', `model: expected a model hash this node serves, got ${requested}`, { field: 'model' });
      return { held, rule: 'requested' };
    }
    for (const row of leaderboard(state)) {
      const held = this.#byHash.get(row.hash);
      if (held) return { held, rule: 'leaderboard' };
    }
    const first = [...this.#byHash.keys()].sort()[0];
    return { held: this.#byHash.get(first!)!, rule: 'held' };
  }

  async predict(state: GameState, body: PredictRequest): Promise<object> {
    const { held, rule } = this.route(state, body.model);
    const { predict } = await import('../zk/predict.js');
    if (body.prove) this.#proved = true;
    const answer = await predict(held.artifact, body.input, { prove: body.prove });
    return { ...answer, model: held.artifact.name, route: rule };
  }

  /**
   * Ends the proving engine's worker threads (snarkjs's shared BN254 curve) if this service ever
   * proved, so the process can exit. A later proof builds the engine again.
   */
  async close(): Promise<void> {
    if (!this.#proved) return;
    this.#proved = false;
    const { terminateCurve } = await import('../zk/curve.js');
    await terminateCurve();
  }
}
