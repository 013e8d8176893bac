import { createHash } from 'node:crypto';
import type { CommitteeConfig } from '../events/types/committee-config.js';
import type { CommitteeRound } from './committee-state.js';
import type { OpenParticipant } from './rounds.js';
import type { GameState, RoundState } from './state.js';

/**
 * Sortition: the committee of round n is drawn at round.open from the bonded members with
 * `H(seed ‖ did)`, where `seed` comes from the randomness beacon: the genesis CID at first, then
 * the salts revealed by each resolved committee (labels.ts updates it). Everything here is pure:
 * anyone can recompute a draw from the log.
 */

export type Candidate = { did: string; bond: bigint };

function sha256(...parts: (string | Uint8Array)[]): Buffer {
  const h = createHash('sha256');
  for (const part of parts) h.update(typeof part === 'string' ? Buffer.from(part, 'utf8') : part);
  return h.digest();
}

/** The score of a member in a draw: sha256(seed bytes ‖ utf8 did), as hex (lower wins). */
export function sortitionScore(seed: string, did: string): string {
  return sha256(Buffer.from(seed, 'hex'), did).toString('hex');
}

/**
 * Draws min(k, candidates) distinct seats. Unweighted: the k lowest `H(seed ‖ did)`. Weighted:
 * k successive draws without replacement, seat j at position `H(seed ‖ "bond-weighted" ‖ j) mod
 * Σbond` over the remaining candidates sorted by DID, so a seat's chance is proportional to bond.
 */
export function drawCommittee(seed: string, candidates: readonly Candidate[], k: number, weighted: boolean): string[] {
  const unique = [...new Map(candidates.map((c) => [c.did, c])).values()];
  if (!weighted) {
    return unique
      .map((c) => ({ did: c.did, score: sortitionScore(seed, c.did) }))
      .sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.did < b.did ? -1 : 1))
      .slice(0, k)
      .map((c) => c.did);
  }
  const remaining = unique.filter((c) => c.bond > 0n).sort((a, b) => (a.did < b.did ? -1 : 1));
  const seats: string[] = [];
  const seedBytes = Buffer.from(seed, 'hex');
  for (let j = 0; seats.length < k && remaining.length > 0; j++) {
    const total = remaining.reduce((sum, c) => sum + c.bond, 0n);
    const index = Buffer.alloc(4);
    index.writeUInt32BE(j);
    let x = BigInt(`0x${sha256(seedBytes, 'bond-weighted', index).toString('hex')}`) % total;
    let pick = 0;
    while (x >= remaining[pick]!.bond) {
      x -= remaining[pick]!.bond;
      pick += 1;
    }
    seats.push(remaining[pick]!.did);
    remaining.splice(pick, 1);
  }
  return seats;
}

export const GENESIS_BEACON_ROUND = 0;

export function genesisBeacon(genesisCid: string): string {
  return sha256('hindsight-beacon-genesis', genesisCid).toString('hex');
}

/** The beacon in force: the latest committee's randomness, or the genesis one. */
export function currentBeacon(state: GameState): { seed: string; seq: number; round: number } {
  return state.beacon ?? { seed: genesisBeacon(state.community!.genesis), seq: 0, round: GENESIS_BEACON_ROUND };
}

/** Mixes a resolved committee's ordering seed into the beacon. */
export function nextBeacon(previous: string, round: number, orderSeed: string): string {
  return sha256('hindsight-beacon', Buffer.from(previous, 'hex'), String(round), Buffer.from(orderSeed, 'hex')).toString('hex');
}

/** The seed for round n's draw: the beacon bound to the round number (two rounds opened on one beacon differ). */
export function roundDrawSeed(beaconSeed: string, round: number): string {
  return sha256('hindsight-draw', Buffer.from(beaconSeed, 'hex'), String(round)).toString('hex');
}

/**
 * Members who can be drawn: joined, not left, active bond ≥ minBond, and a bond that did not
 * change after the beacon was fixed (else one could bond fresh identities until one scores low).
 * With the genesis beacon every bonded member counts (bootstrap: the seed is public from the start).
 */
export function eligibleMembers(state: GameState, config: CommitteeConfig): Candidate[] {
  const beacon = currentBeacon(state);
  const minBond = BigInt(config.minBond);
  const out: Candidate[] = [];
  for (const m of state.members.values()) {
    if (m.left || m.bond < minBond || m.bond === 0n) continue;
    if (beacon.seq > 0 && m.bondChangedAt > beacon.seq) continue;
    out.push({ did: m.did, bond: m.bond });
  }
  return out;
}

/** Recomputes a round's draw from state (what any observer of the log can check). */
export function drawFor(state: GameState, round: number, config: CommitteeConfig): { seed: string; beaconRound: number; members: string[] } {
  const beacon = currentBeacon(state);
  const seed = roundDrawSeed(beacon.seed, round);
  return { seed, beaconRound: beacon.round, members: drawCommittee(seed, eligibleMembers(state, config), config.size, config.weighted) };
}

function emptyCommittee(seed: string, beaconRound: number, weighted: boolean, members: string[]): CommitteeRound {
  return { seed, beaconRound, weighted, members, commits: new Map(), reveals: new Map(), resolved: false, labels: new Map(), orderSeed: null, rewards: new Map(), penalties: new Map() };
}

/** The committee's part in round.open: draws the round's committee, when the community has one. */
export const committeeOpening: OpenParticipant = {
  plan: () => [],
  commit(state: GameState, r: RoundState) {
    const config = state.community?.config.committee;
    if (!config) return;
    const draw = drawFor(state, r.round, config);
    r.committee = emptyCommittee(draw.seed, draw.beaconRound, config.weighted, draw.members);
  },
};
