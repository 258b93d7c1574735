/**
 * P4 — configure customers' mail clients for 587 and authentication (MAAWG
 * practice 4; RFC 6186 SRV records, RFC 8314, Mozilla autoconfig).
 * The SRV and autoconfig probes arrive with a later issue: until then those
 * checks say they were not tested. The auditor's attestation needs no probe:
 * it is judged from the plan now.
 */
import type { CheckResult } from '../model.js';
import { result, skipped, type CheckInput, type PracticeCheck } from './check-input.js';

/**
 * P4.srv-records and P4.autoconfig (`skip` until their probes land) and P4.attested.
 *
 * @example
 * checkP4(input).map((result) => result.id) // ['P4.srv-records', 'P4.autoconfig', 'P4.attested']
 */
export const checkP4: PracticeCheck = (input: CheckInput): CheckResult[] => {
  const target = input.plan.submission.domain ?? 'submission.domain';
  return [
    skipped('P4.srv-records', { target }, 'skip.probe-not-in-version', { probe: 'srv-records' }),
    skipped('P4.autoconfig', { target }, 'skip.probe-not-in-version', { probe: 'autoconfig' }),
    attested(input, target),
  ];
};

// DESIGN.md P4.attested: what cannot be probed (customer guides, CPE provisioning) passes on an auditor's word, shown as evidence.
function attested(input: CheckInput, target: string): CheckResult {
  const attestation = input.plan.attestations.P4;
  if (attestation === null) return skipped('P4.attested', { target }, 'skip.plan-missing', { field: 'attestations.P4' });
  const { text, url, date, who } = attestation;
  return result('P4.attested', 'pass', { target }, 'p4.attested', { who: who ?? 'the auditor' }, { text, url, date, who });
}
