import { expectedGot } from '../core/errors.js';
import { fromField, isFieldElement, toField } from './field.js';
import { expectedSignalCount, inputSignalsPerItem, type PublicLayout } from './layout.js';
import { packSegment, segmentLayout } from './packing.js';

/** One item of a proof: the predicted class, its signed scores, and how its input is bound. */
export type DecodedItem =
  | { predicted: number; scores: bigint[]; inputHash: bigint }
  | { predicted: number; scores: bigint[]; inputs: bigint[] };

/** A proof's public signals, read per its layout (signal order in layout.ts). */
export type DecodedSignals = { modelHash: bigint; items: DecodedItem[] };

type Layout = Pick<PublicLayout, 'items' | 'scores' | 'binding' | 'input' | 'inputWords'>;

function parseSignal(s: string, i: number): bigint {
  if (!/^\d{1,80}$/.test(s) || !isFieldElement(BigInt(s))) throw expectedGot('zk.signalsMalformed', `publicSignals[${i}]`, 'a decimal field element', s);
  return BigInt(s);
}

/** Reads public signals (decimal strings) per `layout`; throws zk.signalsMalformed if they do not fit it. */
export function decodePublicSignals(layout: Layout, signals: readonly string[]): DecodedSignals {
  if (layout.binding === 'digest' || layout.binding === 'fold') throw expectedGot('zk.signalsMalformed', 'layout.binding', 'a per-item binding (public, hash or packed); a batch proof is read with its claimed scores', layout.binding);
  const n = expectedSignalCount(layout);
  if (signals.length !== n) throw expectedGot('zk.signalsMalformed', 'publicSignals.length', `${n} signals for this layout`, signals.length);
  const v = signals.map(parseSignal);
  const M = layout.items;
  const K = layout.scores;
  const per = inputSignalsPerItem(layout);
  const scoresAt = 1 + M;
  const inputsAt = scoresAt + M * K;
  return {
    modelHash: v[0]!,
    items: Array.from({ length: M }, (_, m) => {
      const predicted = Number(v[1 + m]!);
      const scores = v.slice(scoresAt + m * K, scoresAt + (m + 1) * K).map(fromField);
      const bound = v.slice(inputsAt + m * per, inputsAt + (m + 1) * per);
      return layout.binding === 'hash' ? { predicted, scores, inputHash: bound[0]! } : { predicted, scores, inputs: bound };
    }),
  };
}

/** The inverse of decodePublicSignals: the signals a circuit with this layout outputs for `d`. */
export function encodePublicSignals(layout: Layout, d: DecodedSignals): string[] {
  if (d.items.length !== layout.items) throw expectedGot('zk.items', 'items.length', `${layout.items} items`, d.items.length);
  const per = inputSignalsPerItem(layout);
  const bound = d.items.map((it, m) => {
    const values = 'inputHash' in it ? [it.inputHash] : it.inputs;
    if (('inputHash' in it) !== (layout.binding === 'hash') || values.length !== per) throw expectedGot('zk.items', `items[${m}]`, `${per} ${layout.binding} input signals`, values.length);
    return values;
  });
  for (const [m, it] of d.items.entries()) if (it.scores.length !== layout.scores) throw expectedGot('zk.items', `items[${m}].scores.length`, String(layout.scores), it.scores.length);
  const out = [d.modelHash, ...d.items.map((it) => BigInt(it.predicted)), ...d.items.flatMap((it) => it.scores.map(toField)), ...bound.flat()];
  return out.map(String);
}

/**
 * The public signals an item's input contributes under the layout's binding: the features as field
 * elements (public) or their packed words (packed); null for the hash binding, whose Poseidon input
 * hash is computed in src/zk. Throws (zk.pack_*) for a vector the input spec cannot hold.
 */
export function publicInputSignals(layout: Pick<PublicLayout, 'binding' | 'input'>, x: readonly (number | bigint)[]): bigint[] | null {
  const words = packSegment(segmentLayout({ name: 'x', ...layout.input }), x); // validates length and range
  if (layout.binding === 'public') return x.map((v) => toField(BigInt(v)));
  return layout.binding === 'packed' ? words : null;
}
