/** Pure market math: fixed-point exp/ln and the categorical LMSR. See docs/market-math.md. */
export * from './fixed.js';
export * from './lmsr.js';
export * from './belief.js';
export * from './trade-to-belief.js';
export { MIN_OUTCOMES, MAX_OUTCOMES } from './validate.js';
export * from './qmsr.js';
export * from './scoring-rule.js';
