import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { loadArtifact, modelHashOf } from '../ml/artifact.js';
import { leaderboard } from '../game/leaderboard.js';
import type { GameState } from '../game/state.js';
import { HttpError } from './http-errors.js';
import { factsFromState, lastSettledRound } from '../engine/served-facts.js';
import type { ServedAnswer } from '../zk/served-answer.js';

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
  /**
   * `model` (default): one model's answer. `blend` / `leader`: the served answer over the committed
   * models this node holds, every component proven, with the blend weights as of the last settled round.
   */
  serve: z.enum(['model', 'blend', 'leader']).default('model'),
  /** Temper of the blend weights (1 = full-Kelly wealth); the demo's measured default is 0.1. */
  temper: z.number().positive().max(1).default(0.1),
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
    if (body.serve !== 'model') return this.serve(state, body, body.serve);
    const { held, rule } = this.route(state, body.model);
    const { predict } = await import('../zk/predict.js');
    if (body.prove) this.#proved = true;
    const answer = await predict(held.artifact, body.input, { prove: body.prove });
    return { ...answer, model: held.artifact.name, route: rule };
  }

  /**
   * The verifiable served answer, about `body.input`: every held model committed in the log (with
   * the featurizer its artifact uses) is a line, weighted by its P&L as of the last settled round
   * (src/zk/served-answer.ts has the formula); `blend` proves every line on the input, `leader`
   * only the line with the highest P&L (ties: lower hash).
   */
  async serve(state: GameState, body: PredictRequest, rule: 'blend' | 'leader'): Promise<ServedAnswer> {
    const { servedWeights, blendOf, featurizerText, SERVED_FORMAT } = await import('../zk/served-answer.js');
    // A component is checkable against the log only if its artifact featurizes with the featurizer
    // committed beside its hash (the hash does not cover it): other held models are left out.
    const committed = [...this.#byHash.values()].filter((h) => state.models.has(h.hash));
    const sameFeaturizer = (h: Held) => {
      const f = state.models.get(h.hash)!.featurizer;
      return f !== undefined && featurizerText(f) === featurizerText(h.artifact.featurizer);
    };
    const held = committed.filter(sameFeaturizer).sort((x, y) => (x.hash < y.hash ? -1 : 1));
    if (held.length === 0) {
      const got = committed.length === 0 ? 'none' : `${committed.length} committed without it or with another featurizer`;
      throw new HttpError(404, 'served.noModels', `serve: expected a held model committed in the log with the featurizer its artifact uses, got ${got}`);
    }
    const classes = held[0]!.artifact.arch.classes;
    const odd = held.find((h) => h.artifact.arch.classes !== classes);
    if (odd) throw new HttpError(404, 'served.noModels', `serve: expected models with ${classes} classes, got ${odd.artifact.name} with ${odd.artifact.arch.classes}`);
    const { predict } = await import('../zk/predict.js');
    const facts = factsFromState(state);
    const asOfRound = lastSettledRound(state);
    const b = (asOfRound > 0 ? await facts.liquidity(asOfRound) : null) ?? 0n;
    const lines = await Promise.all(held.map(async (h) => ({ held: h, modelHash: h.hash, pnl: await facts.pnlAsOf(h.hash, asOfRound) })));
    const weights = servedWeights(lines, b, body.temper);
    const best = [...lines].sort((x, y) => (x.pnl === y.pnl ? (x.modelHash < y.modelHash ? -1 : 1) : y.pnl > x.pnl ? 1 : -1))[0]!;
    this.#proved = true;
    const components = [];
    for (const line of rule === 'leader' ? [best] : lines) {
      const r = await predict(line.held.artifact, body.input, { prove: true });
      components.push({
        modelHash: r.modelHash, name: line.held.artifact.name, featurizer: line.held.artifact.featurizer, x: r.x, scores: r.scores, probabilities: r.probabilities,
        proof: r.proof!, publicSignals: r.publicSignals!, layout: r.layout!, vkey: r.vkey!, insecure: r.insecureSetup === true,
      });
    }
    const probabilities = rule === 'leader' ? components[0]!.probabilities : blendOf(components, weights);
    const k = probabilities.reduce((bi, v, i) => (v > probabilities[bi]! ? i : bi), 0);
    const labels = best.held.artifact.labels;
    return {
      format: SERVED_FORMAT,
      rule,
      input: body.input,
      labels,
      prediction: labels[k]!,
      predictedClass: k,
      probabilities,
      asOfRound,
      b: b.toString(),
      temper: body.temper,
      lines: lines.map((l) => ({ modelHash: l.modelHash, pnl: l.pnl.toString(), weight: weights.get(l.modelHash)! })),
      components: components.map(({ insecure: _, ...c }) => c),
      insecureSetup: components.some((c) => c.insecure),
    };
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
