import type { CommunityConfig } from '../events/types/core.js';
import { credit } from './ledger.js';
import { ensure, registerHandler } from './rules.js';

type CommunityCreate = { name: string; config: CommunityConfig; treasury: string; mint: { to: string; amount: string }[] };

registerHandler('community.create', (state, ev) => {
  const p = ev.payload as CommunityCreate;
  ensure(state.community === null, 'community.exists', 'type', 'community.create only as the first event', `a community ${state.community?.id} already exists`);
  ensure(p.config.admins.includes(ev.event.author), 'community.creatorNotAdmin', 'config.admins', `a list that includes the creator ${ev.event.author}`, p.config.admins);
  state.community = { id: ev.event.community, name: p.name, creator: ev.event.author, config: p.config, genesis: ev.cid };
  const treasury = BigInt(p.treasury);
  state.ledger.treasury += treasury;
  state.ledger.minted += treasury;
  for (const m of p.mint) {
    credit(state.ledger, m.to, BigInt(m.amount));
    state.ledger.minted += BigInt(m.amount);
  }
});
