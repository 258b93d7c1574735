/**
 * @port25-audit/core: plan, targets, network probing, scan files, checks and
 * the report model. Knows nothing of the CLI or the reporters.
 */
export * from './model.js';
export * from './errors.js';
export * from './version.js';
export * from './plan/index.js';
export * from './targets/index.js';
export * from './net/index.js';
export * from './probes/index.js';
export * from './scan/index.js';
export * from './checks/index.js';
export * from './merge/index.js';
