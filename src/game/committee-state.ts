/**
 * State shapes of the community-made validation set. Only Maps, arrays, bigints,
 * strings, numbers, booleans and null: the canonical encoding hashes and snapshots them exactly.
 */

export type Member = {
  did: string;
  /** Log position of the join. */
  joinedAt: number;
  left: boolean;
  /** Active bond: counts for sortition. */
  bond: bigint;
  /** Log position of the last bond change: a bond placed after the beacon was fixed does not count for the next draw. */
  bondChangedAt: number;
  /** Bond on its way out: still slashable, not drawable, withdrawable at `availableAt` (event time). */
  unbonding: { amount: bigint; availableAt: number } | null;
  slashed: bigint;
  rewarded: bigint;
};

export type SubmissionStatus = 'pending' | 'valid' | 'void';

export type Submission = {
  id: string;
  round: number;
  submitter: string;
  outcomes: number;
  /** Scalar items: ascending bucket boundaries; null for categorical items. */
  buckets: number[] | null;
  /** base64url; dropped ('') once the key has been checked. */
  ciphertext: string;
  nonce: string;
  commitment: string;
  bond: bigint;
  status: SubmissionStatus;
  /** Why a submission was voided (badKey, noKey, badFormat, tooLarge). */
  voidReason: string | null;
  key: string | null;
};

export type LabelCommit = { commitment: string; exposed: boolean };
/** A reveal entry: the label, or null when label+salt did not match the commitment (counts as no reveal). */
export type LabelReveal = { label: number; salt: string } | null;

export type CommitteeRound = {
  /** The beacon seed the seats were drawn with, and the beacon's round/seq (0 = genesis). */
  seed: string;
  beaconRound: number;
  weighted: boolean;
  /** Seat holders in draw order. */
  members: string[];
  commits: Map<string, Map<string, LabelCommit>>;
  reveals: Map<string, Map<string, LabelReveal>>;
  resolved: boolean;
  /** After resolution: the final label per item (null = voided), the ordering seed, and who gained or lost. */
  labels: Map<string, number | null>;
  orderSeed: string | null;
  rewards: Map<string, bigint>;
  penalties: Map<string, bigint>;
};
