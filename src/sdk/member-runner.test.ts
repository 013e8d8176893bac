import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UNIT } from '../core/money.js';
import { delegateSession } from '../events/delegate.js';
import { EthereumSigner, saveSignerFile } from '../events/eth-keys.js';
import { Ed25519Signer } from '../events/keys.js';
import { signEvent } from '../events/sign.js';
import { HttpClient } from './http-client.js';
import { MemberRunner, poolLabeler, type ItemPool, type RoundStatus } from './member-runner.js';
import { RoundScheduler } from './scheduler.js';
import { startTestNode } from '../../test/support/test-node.js';
import { tempDirs } from '../../test/support/temp-dirs.js';

const tempDir = tempDirs('hindsight-member-run-');
const run = promisify(execFile);

/** Two classes a reader can tell apart: what honest members label. */
const POOL: ItemPool = {
  outcomes: 2,
  items: Array.from({ length: 12 }, (_, i) => ({ input: { text: `${i % 2 ? 'win money now' : 'meeting notes'} #${i}` }, label: i % 2 })),
};

describe('member bots against a node, rounds driven by the scheduler, over HTTP', { timeout: 120_000 }, () => {
  it('labels from its pool, and 0 for an input it does not know', () => {
    const label = poolLabeler(POOL);
    expect(POOL.items.map((x) => label({ input: x.input } as never))).toEqual(POOL.items.map((x) => x.label));
    expect(label({ input: { text: 'never seen' } } as never)).toBe(0);
    expect(label.known({ text: 'never seen' })).toBe(false);
  });

  it('members (one an Ethereum account through a session key) submit, key and label; the round settles and each reports it once', async () => {
    const admin = Ed25519Signer.generate();
    const plain = Ed25519Signer.generate();
    const account = EthereumSigner.generate();
    const node = await startTestNode({ admin: admin.did, intakeClock: { now: () => Date.now(), maxSkewMs: 60_000 } });
    const client = new HttpClient(node.url);
    try {
      const units = (n: bigint) => (n * UNIT).toString();
      await client.submit(signEvent(admin, {
        type: 'community.create', community: 'bots', prev: null, nonce: 1, time: Date.now(),
        payload: {
          name: 'bots',
          config: { admins: [admin.did], resolver: admin.did, committee: { size: 2, minBond: units(10n), rewardPerRound: units(2n) }, items: { bond: units(1n) } },
          treasury: units(10_000n),
          mint: [{ to: plain.did, amount: units(100n) }, { to: account.did, amount: units(100n) }],
        },
      }));
      const session = delegateSession({ account, communities: ['bots'], issuedAt: new Date(Date.now() - 1000), expiresAt: new Date(Date.now() + 600_000) }).signer;
      const runners = [plain, session].map((signer) => new MemberRunner({ client, signer, pool: POOL, perRound: 2 }));
      for (const r of runners) await r.start(Date.now());
      const scheduler = new RoundScheduler({ client, signer: admin, roundMs: 4000, subsidyPerItem: 5n * UNIT, rounds: 1 });

      const statuses: RoundStatus[][] = [[], []];
      const until = Date.now() + 60_000;
      while (!(scheduler.done && statuses.every((s) => s.length > 0)) && Date.now() < until) {
        await scheduler.tick(Date.now());
        for (const [i, r] of runners.entries()) statuses[i]!.push(...(await r.tick(Date.now())));
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(scheduler.finished.get(1)?.phase).toBe('settled');
      for (const [i, s] of statuses.entries()) {
        expect(s, `member ${i}`).toHaveLength(1);
        expect(s[0]).toMatchObject({ round: 1, phase: 'settled', submitted: 2, keyed: 2, seated: true, committed: 4, revealed: 4, agreed: 4, rejected: [] });
        expect(BigInt(s[0]!.reward)).toBeGreaterThan(0n);
      }
      // The Ethereum member is known by its did:pkh; its events were signed by the session key.
      const view = await client.round(1);
      expect(view?.items).toHaveLength(4);
      expect(BigInt((await client.author(account.did)).balance)).toBeGreaterThan(0n);
      expect(await runners[1]!.tick(Date.now())).toEqual([]);

      // The command: `member run --once` joins (already did), bonds and steps once, then exits 0.
      const dir = tempDir();
      saveSignerFile(session.toKeyFile(), join(dir, 'session.json'));
      writeFileSync(join(dir, 'pool.jsonl'), POOL.items.map((x) => JSON.stringify({ text: (x.input as { text: string }).text, label: x.label })).join('\n'));
      const { stdout } = await run('node', [resolve('bin/hindsight'), 'member', 'run', '--node', node.url, '--key', join(dir, 'session.json'), '--items', join(dir, 'pool.jsonl'), '--once', '--json']);
      expect(JSON.parse(stdout.trim().split('\n')[0]!)).toMatchObject({ event: 'joined', member: account.did, bond: String(10n * UNIT) });
    } finally {
      await client.close();
      await node.cleanup();
    }
  });
});
