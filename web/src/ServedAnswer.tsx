import { useState } from 'react';
import type { PostInput } from './served';
import type { ServedAnswer } from '../../src/zk/served-answer';

type Outcome = { answer: ServedAnswer; ok: boolean; text: string };

/**
 * Asks the node for its served answer on a post (`POST /v1/predict`, the blend of the committed
 * models it holds, every component proven) and checks it in this page: snarkjs and the node's own
 * served-answer checks load on click. `highlight` marks one model's component (the model page).
 */
export function ServedCheck({ input, highlight, label = 'Check the served answer' }: { input: PostInput; highlight?: string; label?: string }) {
  const [status, setStatus] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const run = async () => {
    setOutcome(null);
    setStatus('asking the node…');
    try {
      const served = await import('./served');
      const answer = await served.askServedAnswer(input);
      setStatus(`verifying ${answer.components.length} proofs in this page…`);
      const check = await served.checkServed(answer, input);
      const p = answer.probabilities.map((v, k) => `${answer.labels[k]} ${v.toFixed(3)}`).join(', ');
      setOutcome({ answer, ok: check.valid, text: check.valid ? `${answer.prediction} (${p}): ${check.proofs} proofs, weights and blend recomputed, checked against the log` : `refused: ${check.reason}: ${check.message}` });
      setStatus(null);
    } catch (e) {
      setStatus(`error: ${(e as Error).message}`);
    }
  };
  return (
    <div>
      <button onClick={() => void run()}>{label}</button>{' '}
      {status && <span role="status">{status}</span>}
      {outcome && (
        <>
          <p role="status" data-testid="served-status" style={{ margin: '0.25rem 0' }}>
            {outcome.ok && <><span className="badge">verified</span> </>}{outcome.text}
          </p>
          <p className="muted" style={{ margin: '0 0 0.25rem' }}>
            {outcome.answer.rule} of {outcome.answer.lines.length} lines, weights from P&amp;L as of round {outcome.answer.asOfRound}, temper {outcome.answer.temper}{outcome.answer.insecureSetup ? ', development setup' : ''}
          </p>
          <div className="wrap"><table>
            <thead><tr><th>Component</th><th className="num">Weight</th><th className="num">P({outcome.answer.labels.join(' / ')})</th></tr></thead>
            <tbody>{outcome.answer.components.map((c) => (
              <tr key={c.modelHash} data-testid={c.modelHash === highlight ? 'served-this-model' : undefined} style={c.modelHash === highlight ? { fontWeight: 600 } : undefined}>
                <td><a href={`#/model/${c.modelHash}`} title={c.modelHash}>{c.name}</a>{c.modelHash === highlight ? ' (this model)' : ''}</td>
                <td className="num">{(outcome.answer.lines.find((l) => l.modelHash === c.modelHash)?.weight ?? 0).toFixed(4)}</td>
                <td className="num">{c.probabilities.map((v) => v.toFixed(3)).join(' / ')}</td>
              </tr>
            ))}</tbody>
          </table></div>
        </>
      )}
    </div>
  );
}

/** The model page's form: any post's text, answered by the node and checked here. */
export function ServedForm({ highlight }: { highlight: string }) {
  const [text, setText] = useState('');
  return (
    <div className="card">
      <label htmlFor="served-text">Text of a post</label>
      <textarea id="served-text" value={text} onChange={(e) => setText(e.target.value)} rows={2} style={{ display: 'block', width: '100%', boxSizing: 'border-box', margin: '0.25rem 0' }} />
      {text.trim() ? <ServedCheck key={text} input={{ text }} highlight={highlight} label="Ask the node and verify" /> : <p className="muted" style={{ margin: 0 }}>Type a post to ask the node for its served answer.</p>}
    </div>
  );
}
