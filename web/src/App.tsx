import { lazy, Suspense, useState, type ReactNode } from 'react';
import { fixed, get, prob, short, units } from './api';
import { CalibrationChart, PriceChart } from './charts';
import { useApi, useHashRoute } from './hooks';
import { CandidateItems, FlagStatus, useFlag } from './Flags';
import { ServedCheck, ServedForm } from './ServedAnswer';
import type { FeedView, FlTasksView, LineBoardView, MarketHistoryView, MembersView, ModelLineView, ProofView, RoundDetailView } from '../../src/engine/dashboard-schemas';
import type { CommunityView, MarketView, RoundView, StateView } from '../../src/engine/view-schemas';

// vega, vega-lite and vega-embed load only when a page draws one of the report's figures.
const PnlFigure = lazy(() => import('./report-charts'));

const PAGES: [string, string][] = [['', 'Community'], ['leaderboard', 'Leaderboard'], ['feed', 'Spam feed'], ['fl', 'Federated learning']];

export function App() {
  const route = useHashRoute();
  const page = route[0] ?? '';
  let body: ReactNode;
  if (page === 'round') body = <Round round={Number(route[1])} />;
  else if (page === 'market') body = <Market round={Number(route[1])} item={route[2]!} />;
  else if (page === 'leaderboard') body = <Leaderboard />;
  else if (page === 'model') body = <Model hash={route[1]!} />;
  else if (page === 'fl') body = <Fl />;
  else if (page === 'feed') body = <Feed />;
  else body = <Community />;
  return (
    <>
      <header>
        <h1>Hindsight</h1>
        <nav aria-label="pages" style={{ display: 'flex', gap: '1rem', flexWrap: 'wrap' }}>
          {PAGES.map(([p, name]) => <a key={p} href={`#/${p}`} aria-current={page === p ? 'page' : undefined}>{name}</a>)}
        </nav>
        <SessionBox />
      </header>
      <main>{body}</main>
    </>
  );
}

function Loading({ error }: { error: string | null }) {
  return <p role="status">{error ? `Error: ${error}` : 'Loading…'}</p>;
}

function SessionBox() {
  const [did, setDid] = useState<string | null>(() => localStorage.getItem('hindsight.session.seed') || localStorage.getItem('hindsight.session.wallet') ? 'session' : null);
  const [error, setError] = useState<string | null>(null);
  const start = async () => setDid((await import('./session')).newSession().did);
  const load = async () => setDid((await import('./session')).loadSession()?.did ?? null);
  // The wallet path (SIWE, CACAO, viem's parser) is its own chunk, fetched on click.
  const wallet = async () => {
    const provider = (window as { ethereum?: import('./wallet').Eip1193 }).ethereum;
    if (!provider) return setError('No Ethereum wallet in this browser (window.ethereum).');
    try {
      setError(null);
      setDid((await (await import('./wallet')).walletSignIn(provider)).did);
    } catch (e) {
      setError(`Wallet sign-in failed: ${(e as Error).message}`);
    }
  };
  if (did === 'session') void load();
  return (
    <div style={{ marginLeft: 'auto', display: 'flex', gap: '0.5rem', flexWrap: 'wrap', alignItems: 'center' }}>
      {did ? <span data-testid="session-did" title={did}>signed in: {short(did, 16)}{did.startsWith('did:pkh:') ? ' (wallet)' : ''}</span> : (
        <>
          <button onClick={() => void start()}>Sign in (did:key session)</button>
          <button onClick={() => void wallet()}>Sign in with wallet</button>
        </>
      )}
      {error && <span role="alert" data-testid="session-error">{error}</span>}
    </div>
  );
}

function Community() {
  const community = useApi<CommunityView>('/v1/community');
  const state = useApi<StateView>('/v1/state', true);
  const members = useApi<MembersView>('/v1/members', true);
  const health = useApi<{ seq: number; stateHash: string; role: string; followers: number; lag?: number }>('/healthz', true);
  if (!community.data || !state.data) return <Loading error={community.error ?? state.error} />;
  const s = state.data;
  return (
    <>
      <h2>{community.data.name}</h2>
      <div className="card">
        <dl>
          <dt>Community id</dt><dd>{community.data.id}</dd>
          <dt>Treasury</dt><dd data-testid="treasury">{units(s.treasury)}</dd>
          <dt>Node</dt><dd>{health.data ? `${health.data.role}, seq ${health.data.seq}${health.data.lag !== undefined ? `, lag ${health.data.lag}` : ''}` : '…'}</dd>
          <dt>Followers</dt><dd data-testid="followers">{health.data ? health.data.followers : '…'}</dd>
          <dt>Log position</dt><dd data-testid="seq">{s.seq}</dd>
          <dt>stateHash</dt><dd data-testid="state-hash">{s.stateHash}</dd>
          <dt>Trading</dt><dd>{community.data.config.trading}</dd>
        </dl>
      </div>
      <h3>Rounds</h3>
      <div className="wrap"><table>
        <thead><tr><th>Round</th><th>Phase</th><th className="num">Items</th></tr></thead>
        <tbody>{s.rounds.map((r) => <tr key={r.round}><td><a href={`#/round/${r.round}`}>Round {r.round}</a></td><td>{r.phase}</td><td className="num">{r.items}</td></tr>)}</tbody>
      </table></div>
      <h3>Members and bonds</h3>
      {members.data && (
        <div className="wrap"><table>
          <thead><tr><th>Member</th><th className="num">Bond</th><th className="num">Balance</th><th className="num">Rewarded</th><th className="num">Slashed</th></tr></thead>
          <tbody>{members.data.members.map((m) => <tr key={m.did}><td title={m.did}>{short(m.did, 20)}</td><td className="num">{units(m.bond)}</td><td className="num">{units(m.balance)}</td><td className="num">{units(m.rewarded)}</td><td className="num">{units(m.slashed)}</td></tr>)}</tbody>
        </table></div>
      )}
      <h3>Configuration</h3>
      <pre className="card wrap" style={{ fontSize: '0.8rem' }}>{JSON.stringify(community.data.config, null, 2)}</pre>
    </>
  );
}

function Round({ round }: { round: number }) {
  const live = (ev: { round: number | null }) => ev.round === round;
  const view = useApi<RoundView>(`/v1/rounds/${round}`, true, live);
  const detail = useApi<RoundDetailView>(`/v1/rounds/${round}/detail`, true, live);
  if (!view.data || !detail.data) return <Loading error={view.error ?? detail.error} />;
  const t = detail.data.totals;
  const outcome = new Map(view.data.outcomes.map((o) => [o.item, o.outcome]));
  return (
    <>
      <h2>Round {round} <span className="muted">({view.data.phase})</span></h2>
      <div className="card"><dl>
        <dt>Items</dt><dd>{t.items}</dd>
        <dt>Trades executed</dt><dd data-testid="round-trades">{t.trades}</dd>
        <dt>Sealed commits</dt><dd data-testid="round-sealed">{view.data.sealed.length} ({view.data.sealed.filter((s) => s.revealed).length} revealed)</dd>
        <dt>Volume</dt><dd>{units(t.volume)}</dd>
        <dt>Subsidy / spent</dt><dd>{units(t.subsidy)} / {units(t.subsidySpent)}</dd>
        <dt>Market log loss</dt><dd data-testid="market-logloss">{fixed(t.marketLogLoss)}</dd>
        <dt>Best model</dt><dd>{t.bestModel ? <><a href={`#/model/${t.bestModel.hash}`}>{t.bestModel.name}</a> ({fixed(t.bestModel.logLoss)})</> : '–'}</dd>
      </dl></div>
      {detail.data.committee && (
        <>
          <h3>Committee</h3>
          <div className="wrap"><table>
            <thead><tr><th>Seat</th><th className="num">Label commits</th><th className="num">Reveals</th></tr></thead>
            <tbody>{detail.data.committee.seats.map((s) => <tr key={s.member}><td title={s.member}>{short(s.member, 20)}</td><td className="num">{s.commits}</td><td className="num">{s.reveals}</td></tr>)}</tbody>
          </table></div>
        </>
      )}
      <CandidateItems rows={detail.data.submissions} round={round} title="Member-submitted items" />
      <h3>Items</h3>
      <div className="wrap"><table>
        <thead><tr><th>Item</th><th>Text</th><th className="num">Outcome</th></tr></thead>
        <tbody>{view.data.items.map((i) => (
          <tr key={i.id}><td><a href={`#/market/${round}/${encodeURIComponent(i.id)}`}>{i.id}</a></td><td>{'text' in i.input ? i.input.text.slice(0, 80) : `${i.input.features.length} features`}</td><td className="num">{outcome.get(i.id) ?? '–'}</td></tr>
        ))}</tbody>
      </table></div>
    </>
  );
}

function Market({ round, item }: { round: number; item: string }) {
  const live = (ev: { round: number | null }) => ev.round === round;
  const market = useApi<MarketView>(`/v1/markets/${round}/${encodeURIComponent(item)}`, true, live);
  const history = useApi<MarketHistoryView>(`/v1/markets/${round}/${encodeURIComponent(item)}/history`, true, live);
  if (!market.data || !history.data) return <Loading error={market.error ?? history.error} />;
  const h = history.data;
  const k = h.initial.length > 2 ? 0 : 1;
  const points = [{ x: 0, y: prob(h.initial[k]!) }, ...h.trades.map((t) => ({ x: t.index, y: prob(t.prices[k]!), label: `#${t.index} ${short(t.model)} → ${prob(t.prices[k]!).toFixed(3)}${t.proof ? ' (proven)' : ''}`, proof: t.proof }))];
  return (
    <>
      <h2>Market {round}/{item}</h2>
      <div className="card"><dl>
        <dt>Price of outcome {k}</dt><dd data-testid="price">{prob(market.data.prices[k]!).toFixed(4)}</dd>
        <dt>Trades</dt><dd data-testid="trades">{h.trades.length}</dd>
        <dt>Volume</dt><dd>{units(market.data.volume)}</dd>
        <dt>Outcome</dt><dd data-testid="outcome">{market.data.outcome ?? (market.data.voided ? 'void' : 'not labelled yet')}</dd>
        <dt>Mode</dt><dd>{h.mode}{h.executed ? '' : ' (sealed trades execute when the round resolves)'}</dd>
      </dl></div>
      <PriceChart points={points} title={`LMSR price of outcome ${k} after each executed trade`} />
      <p className="muted">Dots mark executed trades at the price they moved it to: green = carried a checked proof.</p>
      <div className="wrap"><table>
        <thead><tr><th className="num">#</th><th>Model</th><th className="num">Price after</th><th className="num">Cost</th><th>Proof</th></tr></thead>
        <tbody>{h.trades.slice(-200).reverse().map((t) => (
          <tr key={t.index}><td className="num">{t.index}</td><td><a href={`#/model/${t.model}`}>{short(t.model)}</a></td><td className="num">{prob(t.prices[k]!).toFixed(4)}</td><td className="num">{units(t.cost)}</td><td>{t.proof ? <VerifyButton cid={t.cid} /> : '–'}</td></tr>
        ))}</tbody>
      </table></div>
    </>
  );
}

/** Checks a logged proof in this page with snarkjs, loaded only when asked. */
function VerifyButton({ cid }: { cid: string }) {
  const [status, setStatus] = useState<string | null>(null);
  const run = async () => {
    setStatus('verifying…');
    try {
      const [p, snarkjs] = await Promise.all([get<ProofView>(`/v1/proofs/${cid}`), import('snarkjs')]);
      const ok = await snarkjs.groth16.verify(p.vkey, p.publicSignals, p.proof);
      setStatus(ok ? 'verified' : 'refused: the proof does not verify');
    } catch (e) {
      setStatus(`error: ${(e as Error).message}`);
    }
  };
  return <span><span className="badge">proof</span> <button onClick={() => void run()}>Verify</button> <span data-testid="verify-status" role="status">{status}</span></span>;
}

/** Lines per leaderboard page: laying out a thousand table rows at once costs the browser more than the 500 ms the page may take. */
const PAGE_LINES = 100;

function Leaderboard() {
  const [window, setWindow] = useState(5);
  const [page, setPage] = useState(0);
  const board = useApi<LineBoardView>(`/v1/lines?window=${window}`, true, (ev) => ev.type === 'round.settle');
  if (!board.data) return <Loading error={board.error} />;
  const b = board.data;
  return (
    <>
      <h2>Leaderboard</h2>
      <label>Rolling window (settled rounds): <input type="number" min={1} value={window} onChange={(e) => setWindow(Math.max(1, Number(e.target.value) || 1))} style={{ width: '4rem' }} /></label>
      <p className="muted">Rounds in window: {b.rounds.join(', ') || 'none settled yet'}</p>
      <div className="wrap"><table data-testid="lines" className="long">
        <thead><tr><th>Model line</th><th className="num">P&amp;L</th><th className="num">Items</th><th className="num">Log loss</th><th className="num">Brier</th><th className="num">Calib. error</th></tr></thead>
        <tbody>{b.lines.slice(page * PAGE_LINES, (page + 1) * PAGE_LINES).map((l) => (
          <tr key={l.line}><td><a href={`#/model/${l.latest}`}>{l.name}</a> <span className="muted">{short(l.owner, 14)}</span></td><td className="num">{units(l.pnl)}</td><td className="num">{l.items}</td><td className="num">{fixed(l.logLoss)}</td><td className="num">{fixed(l.brier)}</td><td className="num">{fixed(l.calibrationError)}</td></tr>
        ))}
        <tr><td><strong>Market prices</strong></td><td /><td /><td className="num">{fixed(b.market.logLoss)}</td><td className="num">{fixed(b.market.brier)}</td><td className="num">{fixed(b.market.calibrationError)}</td></tr></tbody>
      </table></div>
      {b.lines.length > PAGE_LINES && (
        <p>
          <span data-testid="lines-page">Lines {page * PAGE_LINES + 1}–{Math.min(b.lines.length, (page + 1) * PAGE_LINES)} of {b.lines.length}</span>{' '}
          <button disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>{' '}
          <button disabled={(page + 1) * PAGE_LINES >= b.lines.length} onClick={() => setPage(page + 1)}>Next</button>
        </p>
      )}
      <h3>Cumulative P&amp;L</h3>
      <Suspense fallback={<p role="status">Loading figure…</p>}><PnlFigure board={b} /></Suspense>
      <h3>Calibration</h3>
      <p className="muted" data-testid="calibration-method">Method: {b.method}</p>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '1rem' }}>
        <figure><CalibrationChart cells={b.market.calibration} title="calibration of market prices" /><figcaption>Market</figcaption></figure>
        {b.lines.slice(0, 12).map((l) => <figure key={l.line}><CalibrationChart cells={l.calibration} title={`calibration of ${l.name}`} /><figcaption>{l.name}</figcaption></figure>)}
      </div>
    </>
  );
}

function Model({ hash }: { hash: string }) {
  const line = useApi<ModelLineView>(`/v1/models/${hash}/line`);
  if (!line.data) return <Loading error={line.error} />;
  const m = line.data;
  return (
    <>
      <h2>Model {m.name}</h2>
      <div className="card"><dl>
        <dt>Hash</dt><dd data-testid="model-hash">{m.hash}</dd>
        <dt>Owner</dt><dd>{m.owner}</dd>
        <dt>Verification key</dt><dd>{m.vkey ?? 'none (unproven model)'}</dd>
      </dl></div>
      <h3>Commits by this owner</h3>
      <div className="wrap"><table><thead><tr><th>Hash</th><th>Name</th><th>Architecture</th><th className="num">Log position</th></tr></thead>
        <tbody>{m.commits.map((c) => <tr key={c.hash}><td><a href={`#/model/${c.hash}`}>{short(c.hash)}</a></td><td>{c.name}</td><td>{c.architecture}</td><td className="num">{c.committedAt}</td></tr>)}</tbody></table></div>
      <h3>Per-round scores</h3>
      <div className="wrap"><table><thead><tr><th>Round</th><th className="num">P&amp;L</th><th className="num">Items</th><th className="num">Log loss</th><th className="num">Brier</th></tr></thead>
        <tbody>{m.rounds.map((r) => <tr key={r.round}><td>{r.round}</td><td className="num">{units(r.pnl)}</td><td className="num">{r.items}</td><td className="num">{fixed(r.logLoss)}</td><td className="num">{fixed(r.brier)}</td></tr>)}</tbody></table></div>
      {m.rounds.length === 0 && <p>No scored rounds yet.</p>}
      <h3>Proven trades</h3>
      {m.proven.length === 0 ? <p>No proven trades.</p> : (
        <ul>{m.proven.map((p) => <li key={p.cid}><a href={`#/market/${p.round}/${encodeURIComponent(p.item)}`}>{p.round}/{p.item}</a> <VerifyButton cid={p.cid} /></li>)}</ul>
      )}
      <h3>Served answers</h3>
      <p className="muted">The node's answer on a post: the blend of the committed models it serves, each component proven; checked in this page (proofs, weights from P&amp;L, blend, and the log's keys, featurizers and P&amp;L).</p>
      <ServedForm highlight={m.hash} />
    </>
  );
}

function Fl() {
  const fl = useApi<FlTasksView>('/v1/fl/tasks', true, (ev) => ev.type.startsWith('fl.'));
  if (!fl.data) return <Loading error={fl.error} />;
  return (
    <>
      <h2>Federated learning tasks</h2>
      {fl.data.tasks.length === 0 && <p>No federated-learning tasks in this community.</p>}
      <p className="muted" data-testid="fl-method">{fl.data.method}</p>
      {fl.data.tasks.map((t) => (
        <div className="card" key={t.task}>
          <h3>{t.task}</h3>
          <dl>
            <dt>Rounds</dt><dd>{t.completed} / {t.rounds}</dd><dt>Budget / paid</dt><dd>{units(t.budget)} / {units(t.paid)}</dd><dt>Secure aggregation</dt><dd>{t.secureAggregation ? 'yes' : 'no'}</dd>
            <dt>ε spent</dt><dd data-testid="fl-epsilon">{!t.privacy ? '–' : t.privacy.epsilon === null ? '∞ (no noise)' : `${t.privacy.epsilon.toFixed(3)} at δ = ${t.privacy.delta} (σ = ${t.privacy.noiseMultiplier})`}</dd>
          </dl>
          <table><thead><tr><th>Participant</th><th className="num">Examples</th><th className="num">Earned</th></tr></thead>
            <tbody>{t.participants.map((p) => <tr key={p.did}><td>{short(p.did, 20)}</td><td className="num">{p.examples}</td><td className="num">{units(p.earned)}</td></tr>)}</tbody></table>
        </div>
      ))}
    </>
  );
}

function Feed() {
  const feed = useApi<FeedView>('/v1/feed?limit=100', true);
  const flags = useFlag();
  if (!feed.data) return <Loading error={feed.error} />;
  return (
    <>
      <h2>Spam feed</h2>
      <p className="muted">P(spam) is the market price of outcome 1: the community's served prediction for the post. Flagging a post submits it as a candidate item for the next scheduled round.</p>
      <FlagStatus note={flags.note} />
      <CandidateItems rows={feed.data.pending} publish={flags.publish} />
      {feed.data.posts.map((p) => (
        <article className="card" key={`${p.round}/${p.item}`}>
          <p style={{ whiteSpace: 'pre-wrap', margin: '0 0 0.5rem' }}>{(p.text ?? '(features)').slice(0, 400)}</p>
          <p className="muted" style={{ margin: 0 }}>
            <a href={`#/market/${p.round}/${encodeURIComponent(p.item)}`}>round {p.round} / {p.item}</a>{p.submitted && <> <span className="badge">member item</span></>} · P(spam) <strong data-testid="spam-prob">{p.prices[1] ? prob(p.prices[1]).toFixed(3) : '–'}</strong>
            {' '}· {p.models.length} models · label {p.outcome ?? 'pending'}{' '}
            {p.text && <button onClick={() => void flags.flag(p.text!)}>Flag as spam</button>}
          </p>
          {p.text && <ServedCheck input={{ text: p.text }} label="Verify the served answer" />}
        </article>
      ))}
    </>
  );
}
