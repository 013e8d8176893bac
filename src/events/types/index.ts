/** Importing this registers every event type the game knows. */
import './core.js';
import './committee.js';
import './zk.js';
import './fl.js';
