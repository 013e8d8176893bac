/** The event table (type → payload schema), re-exported for imports that name the types folder. */
export { EVENT_SCHEMAS, eventTypeSpec, registeredTypes, type EventType, type PayloadOf } from '../registry.js';
