/**
 * Checks: pure judgements of observations against the plan, one file per
 * practice, the status rules, the P6 confidence bound and the report model.
 */
export * from './catalogue.js';
export * from './messages.js';
export * from './status.js';
export * from './confidence.js';
export * from './target-label.js';
export * from './inbound.js';
export * from './scope-size.js';
export type { CheckInput, PracticeCheck, ResultTarget } from './check-input.js';
export { checkP1 } from './p1.js';
export { checkP2 } from './p2.js';
export { checkP3 } from './p3.js';
export { checkP4 } from './p4.js';
export { checkP5 } from './p5.js';
export { checkP6 } from './p6.js';
export * from './practices.js';
export * from './report.js';
export * from './report-schema.js';
