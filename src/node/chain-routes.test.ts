import { describe, expect, it } from 'vitest';
import { ChainGame, CHAIN_ID, TOKEN, TREASURY } from '../../test/support/chain-game.js';
import { hex32 } from '../../test/support/harness.js';
import { payoutEntries } from '../game/chain.js';
import { payoutTree } from '../game/payout-tree.js';
import { chainRoutes, PayoutProofView } from './chain-routes.js';
import type { RouteContext } from './routes.js';

/** The proof route's answers for each state of the payout root, from a real game state (no chain needed). */
const proofRoute = chainRoutes.find((r) => r.url === '/v1/chain/proof/:account')!;
const balanceRoute = chainRoutes.find((r) => r.url === '/v1/chain/balance')!;
const ask = (g: ChainGame, account: string) => proofRoute.handler({ engine: { state: g.state } } as unknown as RouteContext, { params: { account } } as never, {} as never);

describe('GET /v1/chain/proof/:account', () => {
  it('404 before a root, the proof once rooted, 409 after a new withdrawal until the next root, 404 once expired', async () => {
    const g = new ChainGame();
    await g.setup();
    await g.run('admin', 'chain.configure', { chainId: CHAIN_ID, treasury: TREASURY, token: TOKEN });
    await g.run('admin', 'chain.deposit', { txHash: `0x${hex32('d')}`, logIndex: 0, blockNumber: 1, from: g.address(1), amount: '1000' });
    await expect(ask(g, g.address(1))).rejects.toMatchObject({ status: 404, code: 'chain.noRoot' });
    await expect(ask(g, '0x12')).rejects.toMatchObject({ code: 'http.invalidParams' });

    await g.runAs(g.eth[1]!, 'chain.withdraw', { amount: '300' });
    await g.run('admin', 'chain.root', { epoch: 1, root: payoutTree(payoutEntries(g.state.chain!)).root });
    const served = PayoutProofView.parse(await ask(g, g.eth[1]!.address));
    expect(served).toMatchObject({ epoch: 1, account: g.address(1), cumulative: '300', paid: '0' });
    await expect(ask(g, g.address(2))).rejects.toMatchObject({ status: 404, code: 'chain.unknownAccount' });

    await g.runAs(g.eth[1]!, 'chain.withdraw', { amount: '100' });
    await expect(ask(g, g.address(1))).rejects.toMatchObject({ status: 409, code: 'chain.rootStale' });
    await g.run('admin', 'chain.root', { epoch: 2, root: payoutTree(payoutEntries(g.state.chain!)).root });
    expect(PayoutProofView.parse(await ask(g, g.address(1)))).toMatchObject({ epoch: 2, cumulative: '400' });

    await g.run('admin', 'chain.expire', { epoch: 2 });
    await expect(ask(g, g.address(1))).rejects.toMatchObject({ status: 404, code: 'chain.noRoot' });
  });

  it('POST /v1/chain/balance: 400 on a body without a DID, 404 on a node that watches no chain', async () => {
    const g = new ChainGame();
    await g.setup();
    const post = (body: unknown) => balanceRoute.handler({ engine: { state: g.state } } as unknown as RouteContext, { body } as never, {} as never);
    await expect(post({ member: 'nobody' })).rejects.toMatchObject({ code: 'http.badRequest', details: { field: 'body.member' } });
    await expect(post({ member: g.eth[1]!.did, extra: 1 })).rejects.toMatchObject({ code: 'http.badRequest' });
    await expect(post({ member: g.eth[1]!.did })).rejects.toMatchObject({ status: 404, code: 'chain.notConfigured' });
  });
});
