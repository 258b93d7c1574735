export * from './probe.js';
export * from './registry.js';
export { inboundSmtpProbe } from './inbound-smtp.js';
export { relaySmtpProbe, singleRelayAddresses } from './relay-smtp.js';
export { outboundSmtpProbe, canaryTasks } from './outbound-smtp.js';
export { outboundSubmissionProbe } from './outbound-submission.js';
export * from './submission-observation.js';
export { submissionProbe, submissionServerTasks, observeSubmission, type SubmissionDialogOptions } from './submission.js';
export { implicitTlsProbe } from './implicit-tls.js';
export * from './client-config-observation.js';
export { srvRecordsProbe, createSrvRecordsProbe, type SrvRecordsProbeOptions } from './srv-records.js';
export {
  autoconfigProbe,
  autoconfigTasks,
  autoconfigLocations,
  parseClientConfig,
  isUnderDomain,
  AUTOCONFIG_PROBE_ADDRESS,
  AUTOCONFIG_LIMITS,
  type AutoconfigTask,
} from './autoconfig.js';
