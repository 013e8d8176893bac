/**
 * Members' sealed training data (payloads in src/events/types/data.ts). The game keeps only what a
 * reader needs to know who may read what: each owner's current key epoch, its announced chunks, and
 * per grantee the epochs whose keys it was given and the epoch its access was revoked from. Rules:
 * chunks are sealed under the owner's current epoch (so nothing added after a revocation is under a
 * key the revoked operator holds), a grant wraps only keys that exist (epochs up to the current one),
 * and a revocation names a live grant and moves the owner to the next epoch.
 */
import { canonicalDid } from '../events/did.js';
import type { GameState } from './state.js';
import { ensure, type Handler } from './rules.js';

export type DataOwnerState = {
  epoch: number;
  chunks: Map<string, { epoch: number; bytes: number }>;
  grants: Map<string, { epochs: number[]; revokedFrom: number | null }>;
};

export function dataOwners(state: GameState): Map<string, DataOwnerState> {
  return (state.data ??= new Map());
}

function ownerOf(state: GameState, did: string): DataOwnerState {
  const owners = dataOwners(state);
  let owner = owners.get(did);
  if (!owner) owners.set(did, (owner = { epoch: 0, chunks: new Map(), grants: new Map() }));
  return owner;
}

export const dataPutHandler: Handler<'data.put'> = (state, ev) => {
  const who = canonicalDid(ev.event.author);
  const epoch = state.data?.get(who)?.epoch ?? 0;
  for (const c of ev.payload.chunks) ensure(c.epoch === epoch, 'data.epoch', 'chunks.epoch', `the owner's current key epoch ${epoch}`, c.epoch);
  const owner = ownerOf(state, who);
  for (const c of ev.payload.chunks) owner.chunks.set(c.id, { epoch: c.epoch, bytes: c.bytes });
};

export const dataGrantHandler: Handler<'data.grant'> = (state, ev) => {
  const who = canonicalDid(ev.event.author);
  const to = canonicalDid(ev.payload.to);
  ensure(to !== who, 'data.grant.epoch', 'to', 'another participant than the owner', to);
  const epoch = state.data?.get(who)?.epoch ?? 0;
  for (const k of ev.payload.keys) ensure(k.epoch <= epoch, 'data.grant.epoch', 'keys.epoch', `an existing key epoch (≤ ${epoch})`, k.epoch);
  const owner = ownerOf(state, who);
  const grant = owner.grants.get(to) ?? { epochs: [], revokedFrom: null };
  grant.epochs = [...new Set([...grant.epochs, ...ev.payload.keys.map((k) => k.epoch)])].sort((a, b) => a - b);
  // Granting the current key again after a revocation is a new grant: it covers data from now on.
  if (grant.revokedFrom !== null && ev.payload.keys.some((k) => k.epoch >= grant.revokedFrom!)) grant.revokedFrom = null;
  owner.grants.set(to, grant);
};

export const dataRevokeHandler: Handler<'data.revoke'> = (state, ev) => {
  const who = canonicalDid(ev.event.author);
  const to = canonicalDid(ev.payload.to);
  const owner = state.data?.get(who);
  const grant = owner?.grants.get(to);
  ensure(grant !== undefined && grant.revokedFrom === null, 'data.revoke.unknown', 'to', 'an operator holding a live grant from this owner', to);
  ensure(ev.payload.epoch === owner!.epoch + 1, 'data.epoch', 'epoch', `the next key epoch ${owner!.epoch + 1}`, ev.payload.epoch);
  owner!.epoch = ev.payload.epoch;
  grant.revokedFrom = ev.payload.epoch;
};
