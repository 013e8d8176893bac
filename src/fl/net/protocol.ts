/**
 * Federated learning over a node: what the operator and the controllers agree on without talking —
 * the task's recipe (published as a blob with the initial model), who is in which SecAgg group each
 * round, each session's parameters — and the conversions between src/fl/secagg's messages and the
 * `fl.update` bodies that carry them in signed events. Pure: the I/O is in src/sdk/fl-*.ts.
 */
import { sha256Bytes } from '../../core/encoding.js';
import { expectedGot } from '../../core/errors.js';
import { encodeUpdate, decodeUpdate } from '../../events/update-codec.js';
import type { FeaturizerSpec } from '../../ml/artifact-types.js';
import { SessionGraph, neighbourCount, type AdvertiseKeys, type EncryptedShare, type SecAggConfig, type ShareKeys, type UnmaskResponse } from '../secagg/common.js';

/** How controllers train and what they send: published once, with the initial weights, as the task's model blob. */
export type TaskRecipe = {
  family: 'logreg';
  featurizer: FeaturizerSpec;
  /** Parameters: features + bias. */
  dim: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Client-level DP: every update is clipped to this L2 norm ... */
  clipNorm: number;
  /** ... and the weights' share of it leaves this much for the bias. */
  biasClip: number;
  /** ... and carries Gaussian noise of this std (distributed DP: σ·C/√m for sums of ≥ m updates). */
  noiseStd: number;
  /** Per-coordinate bound of the ring quantization. */
  coordinateBound: number;
  /** SecAgg groups per round (payment groups) and SecAgg+ neighbours. */
  groups: number;
  neighbors?: number;
  /** Shares needed, as a fraction of a client's neighbours (at least a majority is enforced). */
  thresholdFraction: number;
  /**
   * The fewest survivors whose sum may be released: every session's threshold is raised to it, so
   * both the operator's server and each controller refuse to unmask fewer. The distributed noise is
   * calibrated for this count (src/fl/privacy/distributed-noise.ts); without it a group of three
   * key senders releases the sum of two.
   */
  minSurvivors?: number;
};

export type ModelBlob = { recipe: TaskRecipe; round: number; weights: Float64Array };

export function encodeModelBlob(blob: ModelBlob): Uint8Array {
  const weights = Buffer.from(blob.weights.buffer, blob.weights.byteOffset, blob.weights.byteLength).toString('base64');
  return new TextEncoder().encode(JSON.stringify({ recipe: blob.recipe, round: blob.round, weights }));
}

export function decodeModelBlob(bytes: Uint8Array): ModelBlob {
  let parsed: { recipe?: TaskRecipe; round?: number; weights?: string };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes)) as typeof parsed;
  } catch {
    throw expectedGot('fl.controller.invalid', 'model blob', 'JSON', 'unreadable bytes');
  }
  if (!parsed.recipe || typeof parsed.weights !== 'string' || typeof parsed.round !== 'number') throw expectedGot('fl.controller.invalid', 'model blob', '{recipe, round, weights}', Object.keys(parsed).join(','));
  const raw = Buffer.from(parsed.weights, 'base64');
  const weights = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  if (weights.length !== parsed.recipe.dim) throw expectedGot('fl.controller.invalid', 'model blob weights', `${parsed.recipe.dim} parameters`, weights.length);
  return { recipe: parsed.recipe, round: parsed.round, weights };
}

function digest(text: string): Uint8Array {
  return sha256Bytes(new TextEncoder().encode(text));
}

/**
 * The group of a slot in a round: slots 1..n ordered by SHA-256(task, round, slot), dealt round-robin
 * into `groups` groups — equal sizes, re-drawn every round (so contributions can be told apart), and
 * computable by everyone from public facts.
 */
export function groupsOf(task: string, round: number, slots: number, groups: number): ReadonlyMap<number, number> {
  return remembered(recentDraws, JSON.stringify([task, round, slots, groups]), () => {
    // Each slot's key is hashed once, not once per comparison (a cohort of 100 took ~1,300 hashes).
    const keys = Array.from({ length: slots }, (_, k) => Buffer.from(digest(`fl-group/${task}/${round}/${k + 1}`)).toString('hex'));
    const order = Array.from({ length: slots }, (_, k) => k + 1).sort((a, b) => (keys[a - 1]! < keys[b - 1]! ? -1 : 1));
    const g = groupCount(slots, groups);
    return new Map(order.map((slot, k) => [slot, k % g]));
  });
}

/**
 * The last draws, by their arguments: every controller a process hosts draws the same round's groups
 * (and each draws this round's and the next one's), a hundred hashes each time.
 */
const recentDraws = new Map<string, ReadonlyMap<number, number>>();

/** `cache`'s value for `key`, made once; the cache keeps the 16 latest (a process sees a few tasks' rounds at a time). */
function remembered<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    if (cache.size >= 16) cache.delete(cache.keys().next().value!);
    cache.set(key, value);
  }
  return value;
}

/** How many groups `groupsOf` deals `slots` into: at most one per three slots. */
export function groupCount(slots: number, groups: number): number {
  return Math.max(1, Math.min(groups, Math.floor(slots / 3) || 1));
}

/** The size of the smallest group `groupsOf` deals (round-robin, so the sizes differ by at most one). */
export function smallestGroup(slots: number, groups: number): number {
  return Math.floor(slots / groupCount(slots, groups));
}

type ThresholdRule = Pick<TaskRecipe, 'thresholdFraction' | 'minSurvivors' | 'neighbors'>;

/**
 * The threshold of a session whose keys closure listed `members` slots, or undefined when such a
 * session cannot meet the recipe's `minSurvivors` (its sum is never released). The threshold is
 * also the fewest masked inputs the server unmasks and the fewest survivors a client unmasks for.
 */
export function sessionThreshold(members: number, recipe: ThresholdRule): number | undefined {
  const degree = neighbourCount({ session: new Uint8Array(32), clientIds: Array.from({ length: members }, (_, k) => k + 1), threshold: 1, vectorLength: 1, neighbors: recipe.neighbors });
  // More than half the neighbours (as in training/federated.ts): a server that tells clients different
  // survivor sets cannot then collect both a client's self-mask shares and its pair-seed shares.
  const threshold = Math.max(1, Math.min(degree, Math.max(Math.floor(degree / 2) + 1, Math.ceil(recipe.thresholdFraction * degree))));
  const floor = recipe.minSurvivors ?? 0;
  if (floor <= threshold) return threshold;
  return floor <= degree ? floor : undefined;
}

/** Fewer key senders than this and the operator does not unmask a group (src/sdk/fl-coordinator.ts). */
export const MIN_KEY_SENDERS = 3;

/**
 * The fewest survivors whose sum a group of at most `groupSize` assigned slots can release: the
 * smallest threshold over the sessions the protocol can run for it (any number of key senders
 * from MIN_KEY_SENDERS up), or undefined when no session can be released at all. Thresholds grow
 * with the members, so it is the threshold of the smallest releasable session.
 */
export function smallestReleasableSum(recipe: ThresholdRule, groupSize: number): number | undefined {
  for (let m = MIN_KEY_SENDERS; m <= groupSize; m++) {
    const t = sessionThreshold(m, recipe);
    if (t !== undefined) return t;
  }
  return undefined;
}

/** The SecAgg session of one group: its members are the slots the operator's keys closure listed. */
export function sessionConfig(task: string, round: number, group: number, members: readonly number[], recipe: TaskRecipe): SecAggConfig {
  const session = digest(`fl-session/${task}/${round}/${group}`);
  const threshold = sessionThreshold(members.length, recipe);
  // Fails closed: a group too small for the survivors the noise was calibrated for is not unmasked.
  if (threshold === undefined) throw expectedGot('fl.secagg.tooFew', 'members with keys', `more than minSurvivors = ${recipe.minSurvivors}`, members.length);
  return { session, clientIds: [...members], threshold, vectorLength: recipe.dim, ...(recipe.neighbors === undefined ? {} : { neighbors: recipe.neighbors }) };
}

/**
 * The slots whose keys `slot` needs in a group's session: its neighbours among the `members` the keys
 * closure listed (SecAgg+ ring; everyone in the full graph, `neighbors` null). Public facts only, so
 * the relay can send each controller just those keys instead of the whole group's.
 */
export function keyNeighbours(task: string, round: number, group: number, members: readonly number[], neighbors: number | null, slot: number): number[] {
  if (!members.includes(slot)) return [];
  // A closing no session can have (fewer than 2 or more than 65,535 members): every listed member,
  // which is what each controller of it is refused with anyway.
  if (members.length < 2 || members.length > MAX_SESSION_CLIENTS) return [...members];
  const graph = remembered(recentGraphs, JSON.stringify([task, round, group, neighbors, members]), () =>
    new SessionGraph({ session: digest(`fl-session/${task}/${round}/${group}`), clientIds: [...members], threshold: 1, vectorLength: 1, ...(neighbors === null ? {} : { neighbors }) }));
  return graph.neighbours(slot);
}

/** The most clients a SecAgg session takes (validateConfig). */
const MAX_SESSION_CLIENTS = 65_535;

/** The last sessions' graphs: a keys closing answers every member of the group at once. */
const recentGraphs = new Map<string, SessionGraph>();

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const fromHex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export const keysBody = (group: number, msg: AdvertiseKeys) => ({ stage: 'keys' as const, group, slot: msg.id, publicKey: hex(msg.publicKey) });
export const keysFrom = (body: Record<string, unknown>): AdvertiseKeys => ({ id: body.slot as number, publicKey: fromHex(body.publicKey as string) });

export const sharesBody = (msg: ShareKeys) => ({
  stage: 'shares' as const,
  seedCommitment: hex(msg.seedCommitment),
  pairCommitments: msg.pairCommitments.map((p) => ({ partner: p.partner, commitment: hex(p.commitment) })),
  shares: msg.shares.map((s) => ({ to: s.to, ciphertext: b64(s.ciphertext), digests: b64(s.digests) })),
});
export const sharesFrom = (slot: number, body: Record<string, unknown>): ShareKeys => ({
  id: slot,
  seedCommitment: fromHex(body.seedCommitment as string),
  pairCommitments: (body.pairCommitments as { partner: number; commitment: string }[]).map((p) => ({ partner: p.partner, commitment: fromHex(p.commitment) })),
  shares: (body.shares as { to: number; ciphertext: string; digests: string }[]).map((s) => ({ from: slot, to: s.to, ciphertext: fromB64(s.ciphertext), digests: fromB64(s.digests) })),
});
/** A holder's inbox from the relay: one share per dealer. */
export const inboxFrom = (messages: readonly { slot: number; body: Record<string, unknown> }[]): EncryptedShare[] =>
  messages.flatMap((m) => (m.body.shares as { to: number; ciphertext: string; digests: string }[]).map((s) => ({ from: m.slot, to: s.to, ciphertext: fromB64(s.ciphertext), digests: fromB64(s.digests) })));

export const maskedBody = (round: number, masked: Uint32Array, scaleBits: number) => ({ stage: 'masked' as const, update: b64(encodeUpdate({ kind: 'ring32', round, scaleBits, values: masked })) });
export function maskedFrom(slot: number, body: Record<string, unknown>, round: number, length: number): { id: number; masked: Uint32Array } {
  const update = decodeUpdate(fromB64(body.update as string), { round, length });
  if (update.kind !== 'ring32') throw expectedGot('fl.update.format', 'masked update', 'ring32', update.kind);
  return { id: slot, masked: update.values as Uint32Array };
}

/** An unmask response; `next`: the sender's keys for the next round, sent early in the same event. */
export const unmaskBody = (msg: UnmaskResponse, next?: ReturnType<typeof keysBody>) => ({
  stage: 'unmask' as const,
  seedShares: msg.seedShares.map((s) => ({ of: s.of, y: hex(s.y) })),
  pairShares: msg.pairShares.map((s) => ({ dealer: s.dealer, partner: s.partner, y: hex(s.y) })),
  ...(next ? { next: { group: next.group, slot: next.slot, publicKey: next.publicKey } } : {}),
});
export const unmaskFrom = (slot: number, body: Record<string, unknown>): UnmaskResponse => ({
  id: slot,
  seedShares: (body.seedShares as { of: number; y: string }[]).map((s) => ({ of: s.of, y: fromHex(s.y) })),
  pairShares: (body.pairShares as { dealer: number; partner: number; y: string }[]).map((s) => ({ dealer: s.dealer, partner: s.partner, y: fromHex(s.y) })),
});
