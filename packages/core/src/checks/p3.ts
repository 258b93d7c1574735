/**
 * P3 — ensure outbound connectivity on port 587 (MAAWG practice 3; RFC 6409 §3.1
 * makes 587 the submission port customers must be able to reach).
 * Judged from inside, per external submission canary and per address.
 */
import type { Canary, CheckResult } from '../model.js';
import {
  canaryFindings,
  canaryVerdict,
  distinctCanaries,
  GREETING_PASSED_THROUGH,
  hasGreeting,
  triageCanary,
  type CanaryFinding,
} from './canary.js';
import { result, skipped, type CheckInput, type PracticeCheck } from './check-input.js';
import { hostPort } from './target-label.js';

const ID = 'P3.outbound-587';

/**
 * P3.outbound-587: the canary's port opens from inside and greets as the canary.
 * Blocked (closed, filtered, unreachable) or intercepted (another greeting) fails.
 *
 * @example
 * checkP3({ plan, observations, inbound, vantages: ['inside'] })
 */
export const checkP3: PracticeCheck = (input: CheckInput): CheckResult[] => {
  const canaries = distinctCanaries(input.plan.external.submission);
  if (canaries.length === 0) {
    return [skipped(ID, { target: 'external.submission' }, 'skip.plan-missing', { field: 'external.submission' })];
  }
  if (!input.vantages.includes('inside')) {
    return canaries.map((canary) =>
      skipped(ID, { target: hostPort(canary.host, canary.port), port: canary.port }, 'skip.no-vantage-scan', { vantage: 'inside' }),
    );
  }
  return canaries.flatMap((canary) =>
    canaryFindings(input, 'outbound-submission', canary).map((finding) => judge(finding, canary)),
  );
};

function judge(finding: CanaryFinding, canary: Canary): CheckResult {
  const triaged = triageCanary(ID, 'outbound-submission', finding, canary);
  if (!('observation' in triaged)) return triaged;
  const { observation, where, port, evidence } = triaged;
  if (observation.outcome !== 'open') {
    return result(ID, 'fail', where, 'p3.blocked', { port, outcome: observation.outcome }, evidence);
  }
  // Submission needs a server that greets (RFC 5321 §4.3.1): an open port that stays silent is not one, whoever holds it.
  if (!hasGreeting(observation.banner)) return result(ID, 'fail', where, 'p3.no-greeting', { port }, evidence);
  if (canary.expect === null) {
    const note = 'greeting not judged: no expect for an address';
    return result(ID, 'pass', where, 'p3.reached-unjudged', { port }, { ...evidence, note });
  }
  const verdict = canaryVerdict(observation, canary.expect);
  if (verdict.own) {
    return result(ID, 'pass', where, 'p3.reached', { port }, evidence);
  }
  // The canary's greeting with another server's EHLO reply (RFC 5321 §4.1.1.1) is interception too.
  return result(ID, 'fail', where, 'p3.intercepted', { port }, verdict.greeting ? { ...evidence, note: GREETING_PASSED_THROUGH } : evidence);
}
