import { anvilPrivateKey } from '../../src/chain/clients.js';
import { canonicalDid } from '../../src/events/did.js';
import { EthereumSigner } from '../../src/events/eth-keys.js';
import type { Signer } from '../../src/events/keys.js';
import { signEvent } from '../../src/events/sign.js';
import { verifyEvent } from '../../src/events/verify.js';
import { execute } from '../../src/game/apply.js';
import { GameHarness, units } from './harness.js';

/** Anvil's first dev private keys (mnemonic "test … junk"): never for real funds. */
export const ANVIL_KEYS = [0, 1, 2, 3].map((i) => anvilPrivateKey(i));

export const CHAIN_ID = 31337;
export const TREASURY = `0x${'11'.repeat(20)}`;
export const TOKEN = `0x${'22'.repeat(20)}`;

/** A GameHarness whose members can also be Ethereum accounts (did:pkh), for the chain events. */
export class ChainGame extends GameHarness {
  readonly eth = ANVIL_KEYS.map((k) => EthereumSigner.fromPrivateKey(k, CHAIN_ID));

  async runAs(signer: Signer, type: string, payload: Record<string, unknown>): Promise<string> {
    const author = this.state.authors.get(canonicalDid(signer.did));
    const event = signEvent(signer, { type, community: this.community, payload, prev: author?.head ?? null, nonce: (author?.nonce ?? 0) + 1, time: this.time });
    const verified = await verifyEvent(event, { community: this.community });
    execute(this.state, verified);
    this.log.push(event);
    return verified.cid;
  }

  async setup(config: Record<string, unknown> = {}): Promise<void> {
    const admin = this.key('admin').did;
    await this.run('admin', 'community.create', { name: 'Chain community', config: { admins: [admin], resolver: admin, ...config }, treasury: units(1000), mint: [] });
  }

  address(i: number): string {
    return this.eth[i]!.address.toLowerCase();
  }
}
