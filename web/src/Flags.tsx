import { useState } from 'react';
import { short } from './api';
import { savedFlags } from './flag-store';
import { useApi } from './hooks';
import type { StateView } from '../../src/engine/view-schemas';

/**
 * Flagging posts on the spam feed and following the candidate items flags become: the status
 * line, the list of sealed candidate items with their status, and the key-publishing step. The
 * signing and sealing code (flag.ts, session.ts) loads on the first flag.
 */

export type FlagActions = { note: string | null; flag(text: string): Promise<void>; publish(item: string): Promise<void> };

export function useFlag(): FlagActions {
  const [note, setNote] = useState<string | null>(null);
  const signedIn = async () => {
    const [s, f] = await Promise.all([import('./session'), import('./flag')]);
    const session = s.loadSession();
    if (!session) setNote('Sign in first (did:key session or wallet) to flag a post.');
    return { session, f };
  };
  // A refusal the page made before signing, or the node's own error code and message.
  const failed = (e: unknown, f: typeof import('./flag')) =>
    setNote(e instanceof f.FlagNotSubmitted ? `Not submitted: ${e.message}` : `Refused by the node: ${(e as Error).message}`);
  return {
    note,
    async flag(text) {
      setNote('Flagging…');
      const { session, f } = await signedIn();
      if (!session) return;
      try {
        const out = await f.flagPost(session, text);
        setNote(`Flagged: the post is now candidate item ${out.item} for round ${out.round}, sealed until that round opens. This browser keeps its key: publish it here once round ${out.round} opens, or the item's bond is forfeited.`);
      } catch (e) {
        failed(e, f);
      }
    },
    async publish(item) {
      const { session, f } = await signedIn();
      if (!session) return;
      try {
        await f.publishKey(session, item);
        setNote(`Key published: ${item} is open to everyone and has its market; its item bond is back in your balance.`);
      } catch (e) {
        failed(e, f);
      }
    },
  };
}

export function FlagStatus({ note }: { note: string | null }) {
  return note ? <p role="status" data-testid="flag-status" className="card">{note}</p> : null;
}

type Candidate = { round?: number; id: string; submitter: string; status: string; voidReason?: string | null };

function statusText(c: Candidate, phase: string | undefined): string {
  if (c.status === 'valid') return 'opened: key published, has a market';
  if (c.status === 'void') return `void (${c.voidReason ?? 'no reason'})`;
  if (phase === 'scheduled') return 'sealed until its round opens';
  if (phase === 'trading') return 'sealed: key due before the trading deadline';
  return `sealed (round ${phase ?? 'unknown'})`;
}

/**
 * Member-submitted candidate items (flags among them) with their status. `round` names the round
 * when the rows do not carry it (a round page). Items whose key this browser holds can have it
 * published here once their round is open.
 */
export function CandidateItems({ rows, round, publish, title = 'Candidate items (flagged posts)' }: { rows: Candidate[]; round?: number; publish?: (item: string) => Promise<void>; title?: string }) {
  const state = useApi<StateView>('/v1/state', true, (ev) => ev.type.startsWith('round.'));
  const phase = new Map(state.data?.rounds.map((r) => [r.round, r.phase]));
  const mine = new Set(savedFlags().map((f) => f.item));
  if (rows.length === 0) return null;
  return (
    <section aria-label={title} style={{ marginBottom: '1rem' }}>
      <h3>{title}</h3>
      <div className="wrap"><table data-testid="candidates">
        <thead><tr><th>Item</th><th>Submitted by</th><th>Status</th></tr></thead>
        <tbody>{rows.map((c) => {
          const r = c.round ?? round!;
          const p = phase.get(r);
          const canPublish = publish && mine.has(c.id) && c.status === 'pending' && p === 'trading';
          return (
            <tr key={c.id} data-item={c.id}>
              <td style={{ wordBreak: 'break-all' }}>{c.id}{round === undefined && <> <a href={`#/round/${r}`} style={{ whiteSpace: 'nowrap', wordBreak: 'normal' }}>round {r}</a></>}</td>
              <td title={c.submitter} style={{ wordBreak: 'break-all' }}>{short(c.submitter, 12)}{mine.has(c.id) ? ' (this browser)' : ''}</td>
              <td style={{ minWidth: '9rem' }}><span data-testid="candidate-status">{statusText(c, p)}</span>{canPublish && <> <button onClick={() => void publish(c.id)}>Publish key</button></>}</td>
            </tr>
          );
        })}</tbody>
      </table></div>
    </section>
  );
}
