import type { VantageKind } from '../model.js';
import { inboundSmtpProbe } from './inbound-smtp.js';
import { outboundSmtpProbe } from './outbound-smtp.js';
import { outboundSubmissionProbe } from './outbound-submission.js';
import type { Probe } from './probe.js';
import { relaySmtpProbe } from './relay-smtp.js';
import { submissionProbe } from './submission.js';
import { implicitTlsProbe } from './implicit-tls.js';
import { srvRecordsProbe } from './srv-records.js';
import { autoconfigProbe } from './autoconfig.js';

/**
 * Every probe a scan runs, in the order their tasks are scheduled: the few
 * named targets (canaries, relays, servers) first, the sample last, so an
 * interrupted scan of a large range already holds what the plan names.
 */
export const PROBES: readonly Probe[] = [
  outboundSmtpProbe,
  outboundSubmissionProbe,
  relaySmtpProbe,
  submissionProbe,
  implicitTlsProbe,
  srvRecordsProbe,
  autoconfigProbe,
  inboundSmtpProbe,
];

/** The probes that run from a vantage. */
export function probesFor(vantage: VantageKind): Probe[] {
  return PROBES.filter((probe) => probe.vantages.includes(vantage));
}
