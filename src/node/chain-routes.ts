/**
 * Routes for the on-chain treasury: an account's payout proof for the latest root, which
 * `hindsight chain claim --node URL` fetches and sends to the contract; and the token gate's
 * balance read, which the node logs as chain.balance before the member signs member.join.
 */
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import { payoutEntries } from '../game/chain.js';
import { payoutProof, payoutTree } from '../game/payout-tree.js';
import { DidText } from '../events/types/common.js';
import { chainLoopOf } from './chain-watcher.js';
import { ErrorBody } from './api-schemas.js';
import { HttpError } from './http-errors.js';
import type { RouteSpec } from './routes.js';

const Hex32 = z.string().regex(/^0x[0-9a-f]{64}$/);
const Uint = z.string().regex(/^(0|[1-9]\d{0,77})$/);
export const ProofParams = z.strictObject({ account: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x address of 40 hex digits') });
/** The proof of (account, cumulative) in the latest payout root; the contract pays cumulative − claimed. */
export const PayoutProofView = z.strictObject({
  epoch: z.number().int(),
  root: Hex32,
  account: z.string().regex(/^0x[0-9a-f]{40}$/),
  cumulative: Uint,
  /** What the contract already paid this account, as the log recorded it. */
  paid: Uint,
  proof: z.array(Hex32),
});
export type PayoutProofView = z.infer<typeof PayoutProofView>;
export const BalanceBody = z.strictObject({ member: DidText });
/** The token gate's input as logged (chain.balance) and what it decides. */
export const BalanceDecisionView = z.strictObject({ member: z.string(), blockNumber: z.number().int(), balance: Uint, minBalance: Uint, eligible: z.boolean() });

const err = (description: string) => ({ description, schema: ErrorBody });

export const chainRoutes: RouteSpec[] = [
  {
    method: 'GET', url: '/v1/chain/proof/:account', summary: "an account's Merkle proof of its cumulative payout in the latest root", params: ProofParams,
    responses: { 200: { description: 'PayoutProofView', schema: PayoutProofView }, 400: err('not an address'), 404: err('no root, or no leaf for this account'), 409: err('allocations changed since the latest root') },
    handler: async (ctx, req) => {
      const parsed = ProofParams.safeParse(req.params ?? {});
      if (!parsed.success) throw new ValidationError('http.invalidParams', `params.account: ${parsed.error.issues[0]!.message}, got ${JSON.stringify((req.params as { account?: unknown })?.account)}`, { field: 'params.account' });
      const account = parsed.data.account.toLowerCase();
      const chain = ctx.engine.state.chain;
      const latest = chain?.root;
      if (!chain || !latest) throw new HttpError(404, 'chain.noRoot', 'payout root: expected a published chain.root, got none');
      if (latest.expired) throw new HttpError(404, 'chain.noRoot', `payout root: expected an open root, got epoch ${latest.epoch} expired (its unclaimed money went back to the treasury)`);
      // The game keeps only current allocations: they rebuild the latest root until the next
      // withdrawal, and a node with a publisher key logs the next root within one poll of it.
      const tree = payoutTree(payoutEntries(chain));
      if (tree.root !== latest.root) throw new HttpError(409, 'chain.rootStale', `payout root: expected the allocations of the root of epoch ${latest.epoch} (${latest.root}), got allocations changed since (${tree.root}); claim after the next root`);
      const leaf = payoutProof(tree, account);
      if (!leaf) throw new HttpError(404, 'chain.unknownAccount', `account: expected a leaf in the root of epoch ${latest.epoch}, got none for ${account}`);
      return { epoch: latest.epoch, root: latest.root, account, cumulative: leaf.cumulative.toString(), paid: (chain.accounts.get(account)?.paid ?? 0n).toString(), proof: leaf.proof } satisfies PayoutProofView;
    },
  },
  {
    method: 'POST', url: '/v1/chain/balance', summary: "token gate: the node reads the member's balanceOf at its snapshot block and logs it (chain.balance)", body: BalanceBody,
    responses: { 200: { description: 'BalanceDecisionView', schema: BalanceDecisionView }, 400: err('not a DID, not did:pkh of the gate chain, or no balanceOf gate'), 404: err('this node does not watch a chain'), 422: err('the game refused the record') },
    handler: async (ctx, req) => {
      const parsed = BalanceBody.safeParse(req.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = ['body', ...issue.path.map(String)].join('.');
        throw new ValidationError('http.badRequest', `${field}: expected ${issue.message}, got ${JSON.stringify((req.body as { member?: unknown } | undefined)?.member ?? req.body)}`, { field });
      }
      const loop = chainLoopOf(ctx.engine);
      if (!loop) throw new HttpError(404, 'chain.notConfigured', 'token gate: expected a node started with --chain, got none');
      return (await loop.recordBalance(parsed.data.member)) satisfies z.infer<typeof BalanceDecisionView>;
    },
  },
];
