import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import { TradeBody } from '../events/types/core.js';
import { ProofAttachment } from '../events/types/zk.js';

/**
 * What an operator must remember between processes to finish a round it started: the model hash it
 * committed, every sealed trade (the commit's CID, the trade and its salt: the salt is the secret
 * that opens the commitment, so the file is 0600 and nothing else prints it), whether it already
 * revealed, and for a proving operator the items its batch proof must cover. `operator run --once`
 * loads it, steps once and writes it back, so one process can trade and a later one reveal.
 */
export const SavedTrade = z.strictObject({ item: z.string(), commit: z.string(), trade: TradeBody, salt: z.string().regex(/^[0-9a-f]{32,64}$/), proof: ProofAttachment.optional() });
export type SavedTrade = z.infer<typeof SavedTrade>;

const OpenItemSaved = z.strictObject({
  id: z.string(),
  outcomes: z.number().int(),
  input: z.union([z.strictObject({ text: z.string() }), z.strictObject({ features: z.array(z.number().int()) })]),
});

export const SavedRound = z.strictObject({
  round: z.number().int().min(1),
  modelHash: z.string(),
  trades: z.array(SavedTrade),
  revealed: z.boolean(),
  /** Set when the round's reveal carries a batch proof: the reveal needs the retrained model's kit and these items. */
  proven: z.boolean(),
  traded: z.array(OpenItemSaved),
});
export type SavedRound = z.infer<typeof SavedRound>;

export const OperatorStateFile = z.strictObject({ version: z.literal(1), did: z.string(), community: z.string(), rounds: z.array(SavedRound) });
export type OperatorStateFile = z.infer<typeof OperatorStateFile>;

/** The state file of one operator key in one community, inside `dir` (one file per community, so a key may serve several). */
export function operatorStatePath(dir: string, community: string): string {
  return join(dir, `operator-${createHash('sha256').update(community).digest('hex').slice(0, 16)}.json`);
}

/** Reads the saved rounds; a missing file is a fresh operator. A file of another key or community is refused rather than mixed in. */
export function loadOperatorState(path: string, expect: { did: string; community: string }): SavedRound[] {
  if (!existsSync(path)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ValidationError('operator.badState', `${path}: expected an operator state file (JSON), got ${(error as Error).message}`, { field: 'state' });
  }
  const parsed = OperatorStateFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError('operator.badState', `${path}: expected an operator state file, got ${issue.path.join('.') || 'the file'}: ${issue.message}`, { field: 'state' });
  }
  for (const key of ['did', 'community'] as const) {
    if (parsed.data[key] !== expect[key]) {
      throw new ValidationError('operator.badState', `${path}: expected the state of ${key} ${expect[key]}, got ${parsed.data[key]}`, { field: 'state' });
    }
  }
  return parsed.data.rounds;
}

/** Writes the state whole (a temporary file renamed over the old one, so a crash leaves either version), 0600 in a 0700 directory. */
export function saveOperatorState(path: string, state: Omit<OperatorStateFile, 'version'>): void {
  const dir = join(path, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ version: 1, ...state })}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
