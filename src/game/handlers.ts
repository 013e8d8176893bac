/** Importing a module registers its handlers; apply.ts imports this once. */
import './community.js';
import './ledger.js';
import './models.js';
import './rounds.js';
import './trades.js';
import './settle.js';
import './membership.js';
import './committee.js';
import './items.js';
import './labels.js';
import './proofs.js';
import './fl.js';
