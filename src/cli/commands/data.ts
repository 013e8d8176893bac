/**
 * `hindsight data put|grant|revoke|list|grant-key|open`: a member's sealed training data
 * (src/fl/data). The vault directory keeps the keys; with --node the sealed chunks are stored on the
 * node (ciphertext only) and each step is announced as a signed event (data.put, data.grant,
 * data.revoke). `grant-key` and `open` are the operator's side: its X25519 key for receiving grants,
 * and reading what a member granted it.
 */
import type { Command } from 'commander';
import { expectedGot } from '../../core/errors.js';
import { printResult } from '../output.js';
import { signerFrom } from '../context.js';
import { readExamples } from './fl-node.js';

type VaultFlags = { vault: string; key: string; node?: string; json?: boolean };

async function announce(node: string | undefined, flags: VaultFlags, events: [string, Record<string, unknown>][], blobs: Uint8Array[] = []): Promise<{ events: string[]; stored: string[] }> {
  if (!node) return { events: [], stored: [] };
  const { FlNode } = await import('../../sdk/fl-node.js');
  const client = new FlNode(node, signerFrom(flags));
  const stored: string[] = [];
  for (const b of blobs) stored.push(await client.putBlob(b));
  const cids: string[] = [];
  for (const [type, payload] of events) cids.push(await client.submit(type, payload));
  return { events: cids, stored };
}

const vaultFlags = (cmd: Command) =>
  cmd.requiredOption('--vault <dir>', "the member's vault directory (keys stay here)").requiredOption('--key <file>', "the member's key file").option('--node <url>', 'store chunks on this node and announce the step as an event').option('--json', 'print one JSON object');

export function registerDataVault(data: Command): void {
  vaultFlags(data.command('put').description('seal examples under your current data key (XChaCha20-Poly1305); the node gets ciphertext only'))
    .requiredOption('--data <file.jsonl>', 'examples {text, label}')
    .action(async (opts: VaultFlags & { data: string }) => {
      const { DataVault } = await import('../../fl/data/vault.js');
      const vault = DataVault.openOrCreate(opts.vault, signerFrom(opts).did);
      const { chunks, payload } = vault.put(readExamples(opts.data));
      const sent = await announce(opts.node, opts, [['data.put', payload]], chunks.map((c) => c.bytes));
      printResult({ epoch: vault.epoch, chunks: payload.chunks, ...sent }, opts, () => `sealed ${payload.chunks.length} chunk(s) under epoch ${vault.epoch}${opts.node ? `, stored on ${opts.node}` : ' (local only)'}`);
    });

  vaultFlags(data.command('grant').description("give an operator your data keys so far, wrapped to its X25519 key (an event: data.grant)"))
    .requiredOption('--to <did>', 'the operator')
    .requiredOption('--to-key <hex>', "the operator's X25519 public key (hindsight data grant-key)")
    .action(async (opts: VaultFlags & { to: string; toKey: string }) => {
      if (!/^[0-9a-f]{64}$/.test(opts.toKey)) throw expectedGot('cli.invalid', 'to-key', '64 lowercase hex digits (an X25519 public key)', opts.toKey);
      const { DataVault } = await import('../../fl/data/vault.js');
      const vault = DataVault.open(opts.vault);
      const grant = vault.grant(opts.to, new Uint8Array(Buffer.from(opts.toKey, 'hex')));
      const sent = await announce(opts.node, opts, [['data.grant', grant]]);
      printResult({ to: opts.to, epochs: grant.keys.map((k) => k.epoch), ...sent }, opts, () => `granted ${opts.to} the keys of epochs ${grant.keys.map((k) => k.epoch).join(', ')}`);
    });

  vaultFlags(data.command('revoke').description('rotate to a fresh data key: the operator named gets nothing you add from now on (an event: data.revoke)'))
    .requiredOption('--to <did>', 'the operator')
    .action(async (opts: VaultFlags & { to: string }) => {
      const { DataVault } = await import('../../fl/data/vault.js');
      const vault = DataVault.open(opts.vault);
      const { revoke, regrants } = vault.revoke(opts.to);
      const sent = await announce(opts.node, opts, [['data.revoke', revoke], ...regrants.map((g): [string, Record<string, unknown>] => ['data.grant', g])]);
      printResult({ ...revoke, regranted: regrants.map((g) => g.to), ...sent }, opts, () => `revoked ${opts.to}: new data goes under epoch ${revoke.epoch}; re-granted ${regrants.length} other operator(s)`);
    });

  data.command('list').description('what your vault holds: epochs, chunks, grants (never the keys)')
    .requiredOption('--vault <dir>', 'the vault directory')
    .option('--json', 'print one JSON object')
    .action(async (opts: { vault: string; json?: boolean }) => {
      const { DataVault } = await import('../../fl/data/vault.js');
      const list = DataVault.open(opts.vault).list();
      printResult(list, opts, () =>
        [`owner ${list.owner}, key epoch ${list.epoch}, ${list.chunks.length} chunk(s), ${list.chunks.reduce((s, c) => s + c.examples, 0)} examples`,
          ...list.grants.map((g) => `grant to ${g.to}: epochs ${g.epochs.join(', ')}${g.revokedFrom === null ? '' : ` (revoked from epoch ${g.revokedFrom})`}`)].join('\n'));
    });

  data.command('grant-key').description("an operator's X25519 key for receiving grants (prints the public key to give members)")
    .requiredOption('--out <file>', 'where to keep the secret (0600)')
    .option('--json', 'print one JSON object')
    .action(async (opts: { out: string; json?: boolean }) => {
      const { newGrantKey } = await import('../../fl/data/vault.js');
      const key = newGrantKey(opts.out);
      printResult(key, opts, () => key.publicKey);
    });

  data.command('open').description("an operator reads what a member granted it: chunks from the node, keys from the member's data.grant events")
    .requiredOption('--node <url>', 'the node')
    .requiredOption('--grant-key <file>', 'the X25519 key file (hindsight data grant-key)')
    .requiredOption('--me <did>', 'your DID (the grants name it)')
    .requiredOption('--owner <did>', 'the member')
    .option('--out <file.jsonl>', 'write the examples here')
    .option('--json', 'print one JSON object')
    .action(async (opts: { node: string; grantKey: string; me: string; owner: string; out?: string; json?: boolean }) => {
      const { openGranted } = await import('../../sdk/data-access.js');
      const { loadGrantKey } = await import('../../fl/data/vault.js');
      const result = await openGranted({ node: opts.node, me: opts.me, owner: opts.owner, key: loadGrantKey(opts.grantKey) });
      if (opts.out) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(opts.out, result.examples.map((e) => JSON.stringify(e)).join('\n') + (result.examples.length ? '\n' : ''), { mode: 0o600 });
      }
      printResult({ examples: result.examples.length, opened: result.opened, refused: result.refused }, opts, () => `opened ${result.opened} chunk(s) (${result.examples.length} examples); ${result.refused} chunk(s) under keys you were not given`);
    });
}
