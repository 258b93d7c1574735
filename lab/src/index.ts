/**
 * The namespace lab (root): a small ISP in network namespaces with a real
 * Postfix + Dovecot MSA, dnsmasq and an nftables router, audited by the real
 * CLI from both vantages. `npm run lab -- help` for people; this module for tests.
 */
export * from './network.js';
export * from './scenarios.js';
export * from './router-policy.js';
export * from './requirements.js';
export * from './plan.js';
export * from './lab.js';
export * from './audit.js';
export { submissionOverrides, type LabCredentials } from './msa.js';
export { LAB_NAMESPACE_ENV, LAB_INTERFACES_ENV, assertInLabNamespace } from './servers/namespace-guard.js';
export { auditCommand, downCommand, LAB_EXIT, listScenarios, showScenario, statusCommand, upCommand, USAGE, type CommandIo } from './commands.js';
export { startAutoconfigSite, startCustomerListeners, startInternetCanaries, type Running } from './servers/lab-servers.js';
export { awaitReadiness, checkOnce, type ReadinessCheck } from './servers/readiness.js';
