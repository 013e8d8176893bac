/**
 * What a proof of inference states, as pure functions: the BN254 field, the model-hash text format,
 * the layout of a proof's public signals and their decoding, the belief a proven model trades, and
 * the id of a verification key. No proving or pairing library is imported here; src/zk proves and
 * verifies, src/game and the node's intake check what the signals bind through this module.
 */
export { FIELD_R, fromField, isFieldElement, toField } from './field.js';
export { MODEL_HASH_PATTERN, fieldHex, isModelHashText, parseModelHash } from './model-hash-text.js';
export { pseudoModelHash } from './pseudo-model-hash.js';
export { WORD_BITS, packSegment, segmentLayout, unpackSegment, type Segment, type SegmentLayout } from './packing.js';
export { InputBinding, InputSpec, PublicLayout, expectedSignalCount, inputSignalsPerItem } from './layout.js';
export { Groth16Proof, VerificationKey } from './groth16.js';
export { decodePublicSignals, encodePublicSignals, publicInputSignals, type DecodedItem, type DecodedSignals } from './signals.js';
export { beliefFromScores } from './belief.js';
export { zkKeyId, type ProofKey } from './key-id.js';
