/** The store re-checks appended rows with the fast CID string from core (shared with event verification). */
export { dagCborCidString } from '../core/cid-string.js';
