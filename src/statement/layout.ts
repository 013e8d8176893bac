import { z } from 'zod';
import { segmentLayout } from './packing.js';

/**
 * The layout of a proof's public signals: everything needed to read them, published with the
 * verification key (`zk.vkey`) and produced by the circuit generator. Signals, in order:
 *   modelHash, predicted[M], scores[M][K], (hash binding) inputHash[M],
 *   then (public binding) x[M][N] or (packed binding) xWords[M][XW]
 * with M = items, K = scores, N = input.count, XW = inputWords.
 */

/**
 * How a proof binds its input: the features themselves, their Poseidon hash, or packed words; or
 * `digest` (batch proofs): the only public signals are the model hash and one Poseidon digest of
 * every item's input hash and scores (src/zk/batch.ts), so verification does not grow with items;
 * or `fold` (batch proofs of logistic regressions and MLPs, src/zk/batch-fold.ts): seven signals —
 * model hash, digest of the scores, commitment to the pre-activations, the evaluation point, the
 * folded input and the scores evaluated there, and the Fiat–Shamir challenge — with the first
 * layer proven once per batch.
 */
export const InputBinding = z.enum(['public', 'hash', 'packed', 'digest', 'fold']);
export type InputBinding = z.infer<typeof InputBinding>;

/** A model's integer inputs: how many, and the range the circuit checks (and packs by). */
export const InputSpec = z.strictObject({
  count: z.number().int().min(1).max(1 << 20),
  bits: z.number().int().min(1).max(64),
  signed: z.boolean(),
});
export type InputSpec = z.infer<typeof InputSpec>;

const Fields = z.strictObject({
  version: z.literal(1),
  kind: z.enum(['logreg', 'mlp', 'net']),
  /** Items per proof. */
  items: z.number().int().min(1).max(4096),
  /** Scores per item: 1 for binary logistic regression (the logit of class 1), else `classes`. */
  scores: z.number().int().min(1).max(64),
  classes: z.number().int().min(2).max(64),
  binding: InputBinding,
  input: InputSpec,
  /** Packed words of one item's input (packing.ts at input.bits). */
  inputWords: z.number().int().min(1),
  /** Fixed-point fraction bits F: scores are at scale 2^(2F). */
  scaleBits: z.number().int().min(0).max(32),
  weightBits: z.number().int().min(2).max(32),
  /** Bound B with |score| < 2^B/2, used by the in-circuit comparisons. */
  scoreBits: z.number().int().min(1).max(252),
  /** Header constant of the model hash (architecture, scale and weight width), decimal. */
  modelHeader: z.string().regex(/^\d{1,80}$/),
});

export const PublicLayout = Fields.superRefine((l, ctx) => {
  if (l.scores !== 1 && l.scores !== l.classes) ctx.addIssue({ code: 'custom', path: ['scores'], message: `expected 1 or classes (${l.classes}), got ${l.scores}` });
  const words = segmentLayout({ name: 'x', ...l.input }).words;
  if (l.inputWords !== words) ctx.addIssue({ code: 'custom', path: ['inputWords'], message: `expected ${words} for input ${JSON.stringify(l.input)}, got ${l.inputWords}` });
});
export type PublicLayout = z.infer<typeof PublicLayout>;

/** Public signals per input item under the layout's binding (hash: one input hash). */
export function inputSignalsPerItem(layout: Pick<PublicLayout, 'binding' | 'input' | 'inputWords'>): number {
  return layout.binding === 'public' ? layout.input.count : layout.binding === 'packed' ? layout.inputWords : 1;
}

/** Number of public signals of a proof with this layout. */
export function expectedSignalCount(layout: Pick<PublicLayout, 'items' | 'scores' | 'binding' | 'input' | 'inputWords'>): number {
  if (layout.binding === 'digest') return 2;
  if (layout.binding === 'fold') return 7;
  return 1 + layout.items * (1 + layout.scores + inputSignalsPerItem(layout));
}
