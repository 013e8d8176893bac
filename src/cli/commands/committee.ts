import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ValidationError, expectedGot } from '../../core/errors.js';
import { parseUnits } from '../../core/money.js';
import { canonicalDid } from '../../events/did.js';
import { signEvent } from '../../events/sign.js';
import { eventCid } from '../../events/envelope.js';
import { Attestation } from '../../events/types/committee.js';
import { committeeView, memberView, publicHistory, submissionsView } from '../../game/committee-view.js';
import { isLabelable, sealItem, submittedItemId } from '../../game/items.js';
import { labelCommitment } from '../../game/labels.js';
import { attestationBytes, membershipConfig } from '../../game/membership.js';
import type { ItemState } from '../../game/state.js';
import type { Engine } from '../../engine/engine.js';
import { printResult, toJson } from '../output.js';
import { registerMemberRun } from './member-run.js';
import { registerDataVault } from './data.js';
import { eventTime, nextEvent, secretsDir, signerFrom, withEngine, withSignerFlags, withStoreFlags, type StoreFlags } from '../context.js';

/**
 * Commands of the community-made validation set: membership, encrypted items, committee
 * labels, and the public history export. Item keys and label salts stay in the secrets dir (0700,
 * files 0600) until they are published.
 */

type SignerFlags = StoreFlags & { key: string; secrets?: string };
type Secrets = { items: Record<string, { round: number; key: string }>; labels: Record<string, { item: string; label: number; salt: string }[]> };

function secretsFile(flags: SignerFlags, did: string): string {
  return join(secretsDir(flags), `committee-${canonicalDid(did).replace(/[^A-Za-z0-9]/g, '_').slice(-48)}.json`);
}

function loadSecrets(file: string): Secrets {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Secrets) : { items: {}, labels: {} };
}

function saveSecrets(file: string, secrets: Secrets): void {
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function int(field: string, text: string): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw expectedGot('cli.invalid', field, 'an integer', text);
  return n;
}

function intList(field: string, text: string): number[] {
  return text.split(',').map((x) => int(field, x));
}

function signerCommand(parent: Command, name: string, description: string): Command {
  return withSignerFlags(parent.command(name).description(description)).option('--secrets <dir>', 'secrets dir (default: <dir>/secrets, mode 0700)');
}

/**
 * Signs and submits. `keep` runs with the event's CID before the event is submitted, so a secret
 * it needs later (item key, label salts) is on disk even if this process dies right after the
 * node accepted it; `undo` runs if the node refuses the event.
 */
async function submit(engine: Engine, flags: SignerFlags, type: string, payload: Record<string, unknown>, secret?: { keep(cid: string): void; undo(): void }): Promise<{ cid: string; seq: number }> {
  const event = nextEvent(engine, signerFrom(flags), type, payload, eventTime(flags));
  secret?.keep(eventCid(event));
  try {
    const { cid, seq } = await engine.submit(event);
    return { cid, seq };
  } catch (error) {
    secret?.undo();
    throw error;
  }
}

function registerMember(program: Command): void {
  const member = program.command('member').description('community membership and committee bonds');
  registerMemberRun(member);
  signerCommand(member, 'join', 'join the community')
    .option('--attestation <file>', 'token-gate attestation JSON {balance, expires, sig}')
    .action(async (opts: SignerFlags & { attestation?: string }) => {
      let payload: Record<string, unknown> = {};
      if (opts.attestation) {
        const parsed = Attestation.safeParse(JSON.parse(readFileSync(opts.attestation, 'utf8')));
        if (!parsed.success) throw new ValidationError('cli.badAttestation', `--attestation: expected {balance, expires, sig}, got ${parsed.error.issues[0]?.message}`, { field: 'attestation' });
        payload = { attestation: parsed.data };
      }
      const result = await withEngine(opts, (engine) => submit(engine, opts, 'member.join', payload));
      printResult(result, opts, (r) => `joined (${(r as { cid: string }).cid})`);
    });
  for (const [name, type, description] of [
    ['bond', 'member.bond', 'lock units as committee bond'],
    ['unbond', 'member.unbond', 'start unbonding units (withdrawable after the unbond delay)'],
  ] as const) {
    signerCommand(member, name, description)
      .requiredOption('--amount <units>', 'amount in units')
      .action(async (opts: SignerFlags & { amount: string }) => {
        const result = await withEngine(opts, (engine) => submit(engine, opts, type, { amount: parseUnits(opts.amount, 'amount').toString() }));
        printResult(result, opts, (r) => `${type} ${opts.amount} (${(r as { cid: string }).cid})`);
      });
  }
  for (const [name, type, description] of [
    ['withdraw', 'member.withdraw', 'withdraw bond whose unbond delay has passed'],
    ['leave', 'member.leave', 'leave the community (the bond starts unbonding)'],
  ] as const) {
    signerCommand(member, name, description).action(async (opts: SignerFlags) => {
      const result = await withEngine(opts, (engine) => submit(engine, opts, type, {}));
      printResult(result, opts, (r) => `${type} (${(r as { cid: string }).cid})`);
    });
  }
  withSignerFlags(member.command('attest').description('as the token-gate attestor: sign that a DID holds a token balance (until the chain check replaces it)'))
    .requiredOption('--member <did>', 'the member DID')
    .requiredOption('--balance <amount>', 'attested balance (integer, token base units)')
    .requiredOption('--expires <ms>', 'event time after which the attestation is refused')
    .requiredOption('--out <file>', 'where to write the attestation JSON')
    .action(async (opts: SignerFlags & { member: string; balance: string; expires: string; out: string }) => {
      const signer = signerFrom(opts);
      const result = await withEngine(opts, async (engine) => {
        const community = engine.state.community;
        if (!community) throw expectedGot('community.missing', '--dir', 'an initialised community', 'none');
        const config = membershipConfig(engine.state);
        if (config.token?.attestor !== signer.did) throw expectedGot('member.notAttestor', '--key', `the community's attestor ${config.token?.attestor ?? '(none: not token-gated)'}`, signer.did);
        const attestation = { balance: String(int('balance', opts.balance)), expires: int('expires', opts.expires) };
        const sig = Buffer.from(signer.sign(attestationBytes(community.id, opts.member, attestation.balance, attestation.expires, config))).toString('base64url');
        writeFileSync(opts.out, `${JSON.stringify({ ...attestation, sig })}\n`);
        return { member: opts.member, ...attestation, file: opts.out };
      });
      printResult(result, opts, (r) => `attestation written to ${(r as { file: string }).file}`);
    });
  withStoreFlags(member.command('show').description('a member’s bond, unbonding, rewards and penalties'))
    .requiredOption('--did <did>', 'member DID')
    .action(async (opts: StoreFlags & { did: string }) => {
      const result = await withEngine(opts, async (engine) => ({ member: memberView(engine.state, opts.did) }));
      printResult(result, opts);
    });
}

function registerItems(program: Command): void {
  const item = program.command('item').description('encrypted candidate items for a coming round');
  signerCommand(item, 'submit', 'encrypt an item (XChaCha20-Poly1305) and submit it for a scheduled round; the key stays in the secrets dir')
    .requiredOption('--round <n>', 'round the item is for (scheduled, not yet open)')
    .option('--text <text>', 'text item')
    .option('--file <file>', 'text item read from a file')
    .option('--features <ints>', 'feature-vector item: comma-separated integers')
    .option('--outcomes <k>', 'number of outcomes', '2')
    .option('--buckets <ints>', 'scalar item: ascending bucket boundaries (outcomes − 1 of them)')
    .action(async (opts: SignerFlags & { round: string; text?: string; file?: string; features?: string; outcomes: string; buckets?: string }) => {
      const given = [opts.text, opts.file, opts.features].filter((x) => x !== undefined).length;
      if (given !== 1) throw expectedGot('cli.badItem', '--text/--file/--features', 'exactly one of them', `${given}`);
      const input: ItemState['input'] = opts.features !== undefined ? { features: intList('features', opts.features) } : { text: opts.text ?? readFileSync(opts.file!, 'utf8') };
      const round = int('round', opts.round);
      const key = randomBytes(32).toString('hex');
      const sealed = sealItem({ input, key, nonce: randomBytes(24).toString('hex'), salt: randomBytes(16).toString('hex') });
      const payload = { round, outcomes: int('outcomes', opts.outcomes), ...(opts.buckets ? { buckets: intList('buckets', opts.buckets) } : {}), ...sealed };
      const result = await withEngine(opts, async (engine) => {
        const signer = signerFrom(opts);
        const file = secretsFile(opts, signer.did);
        const secrets = loadSecrets(file);
        const { cid, seq } = await submit(engine, opts, 'item.submit', payload, {
          keep: (id) => {
            secrets.items[submittedItemId(id)] = { round, key };
            saveSecrets(file, secrets);
          },
          undo: () => saveSecrets(file, { ...secrets, items: Object.fromEntries(Object.entries(secrets.items).filter(([, v]) => v.key !== key)) }),
        });
        return { item: submittedItemId(cid), cid, seq };
      });
      printResult(result, opts, (r) => `submitted item ${(r as { item: string }).item}`);
    });
  signerCommand(item, 'key', 'publish the keys of your items in an open round (from the secrets dir)')
    .requiredOption('--round <n>', 'round')
    .option('--item <id>', 'only this item')
    .action(async (opts: SignerFlags & { round: string; item?: string }) => {
      const round = int('round', opts.round);
      const result = await withEngine(opts, async (engine) => {
        const secrets = loadSecrets(secretsFile(opts, signerFrom(opts).did));
        const published: { item: string; cid: string }[] = [];
        for (const [id, s] of Object.entries(secrets.items)) {
          if (s.round !== round || (opts.item && opts.item !== id)) continue;
          if (engine.state.rounds.get(round)?.submissions.get(id)?.status !== 'pending') continue;
          published.push({ item: id, cid: (await submit(engine, opts, 'item.key', { round, item: id, key: s.key })).cid });
        }
        return { published, submissions: submissionsView(engine.state, round) };
      });
      printResult(result, opts, (r) => `published ${(r as { published: unknown[] }).published.length} key(s)`);
    });
  signerCommand(item, 'expire', 'void a submitted item whose key was not published by the trading deadline (anyone may send it)')
    .requiredOption('--round <n>', 'round')
    .requiredOption('--item <id>', 'the submitted item')
    .action(async (opts: SignerFlags & { round: string; item: string }) => {
      const round = int('round', opts.round);
      printResult(await withEngine(opts, async (engine) => ({ round, item: opts.item, ...(await submit(engine, opts, 'item.expire', { round, item: opts.item })) })), opts);
    });

  withStoreFlags(item.command('list').description('submitted items of a round and their status'))
    .requiredOption('--round <n>', 'round')
    .action(async (opts: StoreFlags & { round: string }) => {
      const result = await withEngine(opts, async (engine) => ({ submissions: submissionsView(engine.state, int('round', opts.round)) }));
      printResult(result, opts);
    });
}

function registerLabels(program: Command): void {
  const label = program.command('label').description('committee labels: commit after the trading deadline, reveal after trade reveals');
  signerCommand(label, 'expose', "prove a seat holder leaked its label before the reveal window (its label and salt): the seat is slashed, half to you")
    .requiredOption('--round <n>', 'round')
    .requiredOption('--member <did>', 'the seat holder whose label leaked')
    .requiredOption('--item <id>', 'the item')
    .requiredOption('--label <value>', 'the leaked label')
    .requiredOption('--salt <hex>', 'the leaked salt')
    .action(async (opts: SignerFlags & { round: string; member: string; item: string; label: string; salt: string }) => {
      const round = int('round', opts.round);
      const payload = { round, member: opts.member, item: opts.item, label: int('label', opts.label), salt: opts.salt };
      printResult(await withEngine(opts, async (engine) => ({ round, member: opts.member, item: opts.item, ...(await submit(engine, opts, 'label.expose', payload)) })), opts);
    });
  signerCommand(label, 'commit', 'commit labels for every labelable item of a round you sit on (salts kept in the secrets dir)')
    .requiredOption('--round <n>', 'round')
    .option('--label <item=value...>', 'label per item (outcome index, or value for scalar items)')
    .option('--labels <file>', 'JSON object {item: value}')
    .action(async (opts: SignerFlags & { round: string; label?: string[]; labels?: string }) => {
      const round = int('round', opts.round);
      const chosen = new Map<string, number>(opts.labels ? Object.entries(JSON.parse(readFileSync(opts.labels, 'utf8')) as Record<string, number>) : []);
      for (const pair of opts.label ?? []) {
        const at = pair.lastIndexOf('=');
        if (at < 0) throw expectedGot('cli.badLabel', '--label', 'item=value', pair);
        chosen.set(pair.slice(0, at), int('label', pair.slice(at + 1)));
      }
      const result = await withEngine(opts, async (engine) => {
        const signer = signerFrom(opts);
        const r = engine.state.rounds.get(round);
        const plan = [...chosen].map(([item, value]) => {
          if (!r || !isLabelable(r, item)) throw expectedGot('item.notLabelable', '--label', `an item of round ${round} with a published input`, item);
          return { item, label: value, salt: randomBytes(16).toString('hex') };
        });
        if (plan.length === 0) throw expectedGot('cli.noLabels', '--label/--labels', 'at least one label', 'none');
        const commits = plan.map((x) => ({ item: x.item, commitment: labelCommitment({ round, item: x.item, member: signer.did, label: x.label, salt: x.salt }) }));
        const file = secretsFile(opts, signer.did);
        const secrets = loadSecrets(file);
        const previous = secrets.labels[String(round)] ?? [];
        // Salts reach the disk before the node sees the commit; a refused first chunk (say a duplicate)
        // restores the old plan so the salts of the accepted commit are never lost.
        saveSecrets(file, { ...secrets, labels: { ...secrets.labels, [String(round)]: [...previous.filter((x) => !chosen.has(x.item)), ...plan] } });
        let kept: { cid: string; seq: number } | undefined;
        for (let i = 0; i < commits.length; i += 250) {
          try {
            kept = await submit(engine, opts, 'label.commit', { round, commits: commits.slice(i, i + 250) });
          } catch (error) {
            if (!kept) saveSecrets(file, secrets);
            throw error;
          }
        }
        return { ...kept!, items: plan.length, unlabelled: r ? [...r.items.keys()].filter((i) => isLabelable(r, i) && !chosen.has(i)) : [] };
      });
      printResult(result, opts, (r) => `committed ${(r as { items: number }).items} label(s)`);
    });
  signerCommand(label, 'reveal', 'reveal your committed labels and salts').requiredOption('--round <n>', 'round').action(async (opts: SignerFlags & { round: string }) => {
    const round = int('round', opts.round);
    const result = await withEngine(opts, async (engine) => {
      const did = canonicalDid(signerFrom(opts).did);
      const plan = loadSecrets(secretsFile(opts, did)).labels[String(round)];
      if (!plan) throw expectedGot('cli.noSalts', '--secrets', `salts of a label commit for round ${round}`, 'none');
      const c = engine.state.rounds.get(round)?.committee;
      const due = plan.filter((x) => c?.commits.get(did)?.has(x.item) && !c.reveals.get(did)?.has(x.item));
      if (due.length === 0) throw expectedGot('label.nothingToReveal', '--round', 'committed labels not revealed yet', 'none');
      let last: { cid: string; seq: number } | undefined;
      for (let i = 0; i < due.length; i += 250) last = await submit(engine, opts, 'label.reveal', { round, reveals: due.slice(i, i + 250) });
      return { ...last!, items: due.length };
    });
    printResult(result, opts, (r) => `revealed (${(r as { cid: string }).cid})`);
  });
  signerCommand(label, 'resolve', 'resolve a round’s labels from the committee’s reveals (anyone may)').requiredOption('--round <n>', 'round').action(async (opts: SignerFlags & { round: string }) => {
    const round = int('round', opts.round);
    const result = await withEngine(opts, async (engine) => ({ ...(await submit(engine, opts, 'label.resolve', { round })), committee: committeeView(engine.state, round) }));
    printResult(result, opts);
  });
  const committee = program.command('committee').description('committees');
  signerCommand(committee, 'init', 'create a community whose labels come from a sortition committee (like `hindsight init`, plus committee/items/membership config)')
    .requiredOption('--name <name>', 'community id: lowercase letters, digits, dashes')
    .option('--treasury <units>', 'initial community treasury', '10000')
    .option('--mint <did=units...>', 'initial balances, e.g. did:key:z…=100')
    .option('--trading <mode>', 'sealed (default) or continuous', 'sealed')
    .option('--committee-json <json>', 'committee config (size, weighted, minBond, quorumPpm, rewardPerRound, missingSlashPpm, wrongSlashPpm, exposeSlashPpm)', '{}')
    .option('--items-json <json>', 'member items config (maxPerRound, perMemberQuota, bond, formats, maxBytes)', '{}')
    .option('--membership-json <json>', 'membership config (mode, allowList, token, unbondDelay)', '{}')
    .action(async (opts: SignerFlags & { name: string; treasury: string; mint?: string[]; trading: string; committeeJson: string; itemsJson: string; membershipJson: string }) => {
      const signer = signerFrom(opts);
      const json = (field: string, text: string): Record<string, unknown> => {
        try {
          return JSON.parse(text) as Record<string, unknown>;
        } catch (cause) {
          throw expectedGot('cli.badJson', field, 'a JSON object', text, { cause });
        }
      };
      const mint = (opts.mint ?? []).map((m) => {
        const at = m.lastIndexOf('=');
        if (at < 0) throw expectedGot('cli.badMint', '--mint', 'did=units', m);
        return { to: m.slice(0, at), amount: parseUnits(m.slice(at + 1), 'mint').toString() };
      });
      const config = { trading: opts.trading, admins: [signer.did], resolver: signer.did, committee: json('--committee-json', opts.committeeJson), items: json('--items-json', opts.itemsJson), membership: json('--membership-json', opts.membershipJson) };
      const result = await withEngine(opts, async (engine) => {
        if (engine.state.community) throw expectedGot('community.exists', '--dir', 'an empty store', engine.state.community.id);
        const event = signEvent(signer, { type: 'community.create', community: opts.name, prev: null, nonce: 1, time: eventTime(opts), payload: { name: opts.name, config, treasury: parseUnits(opts.treasury, 'treasury').toString(), mint } });
        const { cid, seq } = await engine.submit(event);
        return { community: opts.name, genesis: cid, seq, config: engine.state.community!.config };
      });
      printResult(result, opts, (r) => `created community ${(r as { community: string }).community} with a committee`);
    });
  withStoreFlags(committee.command('show').description('a round’s committee: seats, commits, reveals, labels, rewards, penalties'))
    .requiredOption('--round <n>', 'round')
    .action(async (opts: StoreFlags & { round: string }) => {
      const result = await withEngine(opts, async (engine) => ({ committee: committeeView(engine.state, int('round', opts.round)) }));
      printResult(result, opts);
    });
}

function registerData(program: Command): void {
  const data = program.command('data').description("training data: the public export, and a member's sealed data (put, grant, revoke, list)");
  registerDataVault(data);
  withStoreFlags(data.command('export').description('settled rounds’ items (decrypted inputs) and final labels, as JSONL'))
    .requiredOption('--upto-round <n>', 'last round to include')
    .option('--format <format>', 'jsonl', 'jsonl')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (opts: StoreFlags & { uptoRound: string; format: string; out?: string }) => {
      if (opts.format !== 'jsonl') throw expectedGot('cli.badFormat', '--format', 'jsonl', opts.format);
      const rows = await withEngine(opts, async (engine) => publicHistory(engine.state, int('upto-round', opts.uptoRound)));
      const text = rows.map((row) => toJson(row)).join('\n') + (rows.length ? '\n' : '');
      if (!opts.out) {
        process.stdout.write(text);
        if (opts.json) printResult({ rows: rows.length }, opts);
        return;
      }
      mkdirSync(join(opts.out, '..'), { recursive: true });
      writeFileSync(opts.out, text);
      printResult({ rows: rows.length, file: opts.out, rounds: [...new Set(rows.map((r) => r.round))] }, opts, (r) => `wrote ${(r as { rows: number }).rows} rows to ${opts.out}`);
    });
}

export function register(program: Command): void {
  registerMember(program);
  registerItems(program);
  registerLabels(program);
  registerData(program);
}

