import { z } from 'zod';
import { decode } from '../core/encoding.js';
import type { SignedEvent } from '../events/envelope.js';
import { ItemId, ModelHash } from '../events/types/common.js';
import { FeedView, FlTasksView, LineBoardView, MarketHistoryView, MembersView, ModelLineView, ProofView, RoundDetailView } from '../engine/dashboard-schemas.js';
import { feedView, flTasksView, lineBoardView, membersView, modelLineView, roundDetailView, type FlPrivacyDeclared } from '../engine/dashboard-views.js';
import { marketHistory } from '../engine/market-history.js';
import type { Engine } from '../engine/engine.js';
import { ErrorBody } from './api-schemas.js';
import { HttpError } from './http-errors.js';
import { parseRequestPart as parse } from './request-parts.js';
import type { RouteSpec } from './routes.js';

/**
 * Read-only routes the web dashboard (web/) needs beyond the core views: a market's price path,
 * members, model lines, round details, FL tasks, the post feed and a logged proof with its key.
 */
const QueryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const RoundOnly = z.strictObject({ round: QueryInt(1, 1_000_000_000) });
const MarketParams = z.strictObject({ round: QueryInt(1, 1_000_000_000), item: ItemId });
const HashParams = z.strictObject({ hash: ModelHash });
const CidParams = z.strictObject({ cid: z.string().regex(/^b[a-z2-7]{20,120}$/, 'a base32 CIDv1 string') });
const WindowQuery = z.strictObject({ window: QueryInt(1, 10_000).default(5) });
const FeedQuery = z.strictObject({ limit: QueryInt(1, 5_000).default(200) });

const err = (s: number) => ({ description: s === 404 ? 'no such resource' : 'parameter error', schema: ErrorBody });

function missing(what: string): never {
  throw new HttpError(404, 'http.notFound', `${what}: expected an existing one, got none`);
}

const rejectedIn = (engine: Engine) => (seq: number) => engine.rejections.has(seq);

/**
 * Price paths by engine, kept while the market is unchanged: a path changes only when a trade on
 * that item executes, the round's phase moves or the outcome is set, and rebuilding one replays
 * every trade with exact arithmetic (a 5,000-trade market takes a second or more).
 */
const histories = new WeakMap<Engine, Map<string, { version: string; view: MarketHistoryView }>>();
const HISTORY_CACHE = 64;

async function cachedHistory(engine: Engine, round: number, item: string): Promise<MarketHistoryView | null> {
  const r = engine.state.rounds.get(round);
  const m = r?.markets.get(item);
  if (!r || !m) return null;
  const version = `${m.trades}:${m.outcome}:${m.voided}:${r.phase}:${r.seed !== null}`;
  let cache = histories.get(engine);
  if (!cache) histories.set(engine, (cache = new Map()));
  const key = `${round}/${item}`;
  const hit = cache.get(key);
  if (hit?.version === version) return hit.view;
  const view = await marketHistory(engine.state, engine.store, round, item, rejectedIn(engine));
  if (!view) return null;
  cache.delete(key);
  cache.set(key, { version, view });
  if (cache.size > HISTORY_CACHE) cache.delete(cache.keys().next().value!);
  return view;
}

/** Each task's declared noise, read from its fl.task event (indexed by type; a task id is logged once). */
async function flDeclared(engine: Engine): Promise<Map<string, FlPrivacyDeclared>> {
  const out = new Map<string, FlPrivacyDeclared>();
  let after = 0;
  for (;;) {
    const page = await engine.store.readByType('fl.task', after, 10_000);
    for (const stored of page) {
      if (engine.rejections.has(stored.seq)) continue;
      const p = decode<SignedEvent>(stored.bytes).payload as { task: string; noiseMultiplier: number; delta: string };
      if (engine.state.fl.has(p.task) && !out.has(p.task)) out.set(p.task, { noiseMultiplier: p.noiseMultiplier / 1_000_000, delta: p.delta });
    }
    if (page.length < 10_000) return out;
    after = page.at(-1)!.seq;
  }
}

/** Events carrying a proof by this model: trade.execute names it, a trade.reveal's commit does. */
async function provenBy(engine: Engine, hash: string): Promise<ModelLineView['proven']> {
  const out: ModelLineView['proven'] = [];
  for (const type of ['trade.execute', 'trade.reveal']) {
    let after = 0;
    for (;;) {
      const page = await engine.store.readByType(type, after, 10_000);
      for (const stored of page) {
        if (engine.rejections.has(stored.seq)) continue;
        const p = decode<SignedEvent>(stored.bytes).payload as { round: number; item?: string; model?: string; commit?: string; proof?: unknown };
        if (p.proof === undefined) continue;
        const sealed = p.commit ? engine.state.rounds.get(p.round)?.sealed.get(p.commit) : undefined;
        const model = p.model ?? sealed?.model;
        if (model === hash) out.push({ round: p.round, item: p.item ?? sealed!.item, cid: stored.cid });
      }
      if (page.length < 10_000) break;
      after = page.at(-1)!.seq;
    }
  }
  return out;
}

export const dashboardRoutes: RouteSpec[] = [
  {
    method: 'GET', url: '/v1/markets/:round/:item/history', summary: "a market's price after every executed trade", params: MarketParams,
    responses: { 200: { description: 'MarketHistoryView', schema: MarketHistoryView }, 400: err(400), 404: err(404) },
    handler: async (ctx, req) => {
      const { round, item } = parse(MarketParams, req.params, 'params');
      return (await cachedHistory(ctx.engine, round, item)) ?? missing(`market ${round}/${item}`);
    },
  },
  {
    method: 'GET', url: '/v1/members', summary: 'community members and their bonds',
    responses: { 200: { description: 'MembersView', schema: MembersView } },
    handler: async (ctx) => membersView(ctx.engine.state),
  },
  {
    method: 'GET', url: '/v1/rounds/:round/detail', summary: "a round's committee progress, submissions and totals", params: RoundOnly,
    responses: { 200: { description: 'RoundDetailView', schema: RoundDetailView }, 400: err(400), 404: err(404) },
    handler: async (ctx, req) => {
      const { round } = parse(RoundOnly, req.params, 'params');
      return roundDetailView(ctx.engine.state, round) ?? missing(`round ${round}`);
    },
  },
  {
    method: 'GET', url: '/v1/models/:hash/line', summary: "a model, its owner's commits, per-round scores and proven trades", params: HashParams,
    responses: { 200: { description: 'ModelLineView', schema: ModelLineView }, 400: err(400), 404: err(404) },
    handler: async (ctx, req) => {
      const { hash } = parse(HashParams, req.params, 'params');
      if (!ctx.engine.state.models.has(hash)) missing(`model ${hash}`);
      return modelLineView(ctx.engine.state, hash, await provenBy(ctx.engine, hash));
    },
  },
  {
    method: 'GET', url: '/v1/lines', summary: 'model lines over a rolling window of settled rounds', query: WindowQuery,
    responses: { 200: { description: 'LineBoardView', schema: LineBoardView }, 400: err(400) },
    handler: async (ctx, req) => lineBoardView(ctx.engine.state, parse(WindowQuery, req.query, 'query').window),
  },
  {
    method: 'GET', url: '/v1/fl/tasks', summary: 'federated-learning tasks',
    responses: { 200: { description: 'FlTasksView', schema: FlTasksView } },
    handler: async (ctx) => flTasksView(ctx.engine.state, await flDeclared(ctx.engine)),
  },
  {
    method: 'GET', url: '/v1/feed', summary: 'posts newest first, with the market price and the models behind it', query: FeedQuery,
    responses: { 200: { description: 'FeedView', schema: FeedView }, 400: err(400) },
    handler: async (ctx, req) => feedView(ctx.engine.state, parse(FeedQuery, req.query, 'query').limit),
  },
  {
    method: 'GET', url: '/v1/proofs/:cid', summary: 'the proof a logged trade carried, with its verification key', params: CidParams,
    responses: { 200: { description: 'ProofView', schema: ProofView }, 400: err(400), 404: err(404) },
    handler: async (ctx, req) => {
      const { cid } = parse(CidParams, req.params, 'params');
      const stored = await ctx.engine.store.get(cid);
      if (!stored || ctx.engine.rejections.has(stored.seq)) missing(`event ${cid}`);
      const ev = decode<SignedEvent>(stored.bytes);
      const p = ev.payload as { round: number; model?: string; commit?: string; proof?: { proof: ProofView['proof']; publicSignals: string[] } };
      if (!p.proof) missing(`proof in event ${cid}`);
      const model = p.model ?? ctx.engine.state.rounds.get(p.round)?.sealed.get(p.commit ?? '')?.model;
      const vkeyId = model ? ctx.engine.state.models.get(model)?.vkey : null;
      const key = vkeyId ? ctx.engine.state.vkeys.get(vkeyId) : undefined;
      if (!model || !vkeyId || !key) missing(`verification key for event ${cid}`);
      return { cid, type: ev.type, model, proof: p.proof.proof, publicSignals: p.proof.publicSignals, vkeyId, vkey: key.vkey as Record<string, unknown> };
    },
  },
];
