import { credit } from './ledger.js';
import { ensure, type Handler } from './rules.js';

export const communityCreateHandler: Handler<'community.create'> = (state, ev) => {
  const p = ev.payload;
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
};
