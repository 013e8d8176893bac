import type { ResolutionSpec, RulesConfig } from '../events/types/rules.js';

/** A resolution function's published source; its key in `functions` is sha256(source). */
export type PublishedFunction = { name: string; source: string; by: string };

/** Rules that apply to rounds numbered `fromRound` and later (until a later entry). */
export type RulesEntry = { fromRound: number; rules: RulesConfig; hash: string; by: string };

export type Proposal = {
  id: string;
  author: string;
  fromRound: number;
  rules: RulesConfig;
  proposedAt: number;
  /** Member DID → approve. */
  votes: Map<string, boolean>;
  enacted: boolean;
};

export type CommunityRulesState = {
  functions: Map<string, PublishedFunction>;
  /** Sorted by fromRound; on a tie the later entry wins. */
  schedule: RulesEntry[];
  proposals: Map<string, Proposal>;
};

/** How a round's items were resolved from data: which function, and whether it produced valid outcomes. */
export type ComputedResolution = { status: 'ok' | 'failed'; reason: string | null; steps: number };

/** The rules a round was scheduled under, pinned for its whole life. */
export type RoundRulesState = {
  /** sha256 of the DAG-CBOR of the rules object in force. */
  hash: string;
  scoring: 'lmsr' | 'qmsr';
  roundType: string | null;
  resolution: ResolutionSpec;
  /** Access reports: reporter DID → item → reads in the round's outcome window. */
  reports: Map<string, Map<string, number>>;
  computed: ComputedResolution | null;
};
