/**
 * The flags this browser submitted, with each item's key (the submitter's secret until its round
 * opens). Read by the feed's list without loading the signing code.
 */
export type FlagRecord = { round: number; item: string; cid: string; key: string; submitter: string };
const FLAGS = 'hindsight.flags';

export function savedFlags(): FlagRecord[] {
  return JSON.parse(localStorage.getItem(FLAGS) ?? '[]') as FlagRecord[];
}

export function saveFlag(f: FlagRecord): void {
  localStorage.setItem(FLAGS, JSON.stringify([...savedFlags(), f]));
}
