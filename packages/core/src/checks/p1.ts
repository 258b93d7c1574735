/**
 * P1 — offer mail submission on port 587 (MAAWG practice 1; RFC 6409, with
 * STARTTLS per RFC 3207 and implicit TLS on 465 per RFC 8314).
 * The submission and implicit-TLS probes arrive with a later issue: until
 * then every P1 check is present and says it was not tested.
 */
import type { CheckResult } from '../model.js';
import { skipped, type CheckInput, type PracticeCheck } from './check-input.js';
import { hostPort } from './target-label.js';

const SUBMISSION_CHECKS = ['P1.port-open', 'P1.greeting', 'P1.starttls-offered', 'P1.tls-handshake', 'P1.certificate'] as const;

/**
 * Every P1 check, each `skip`: the probes it needs are not part of this version.
 *
 * @example
 * checkP1(input).map((result) => result.status) // ['skip', 'skip', 'skip', 'skip', 'skip', 'skip']
 */
export const checkP1: PracticeCheck = (input: CheckInput): CheckResult[] => {
  const { servers } = input.plan.submission;
  const { submission, submissions } = input.plan.ports;
  const on = (port: number) => ({
    target: servers.map((server) => hostPort(server, port)).join(', ') || 'submission.servers',
    port,
  });
  return [
    ...SUBMISSION_CHECKS.map((id) => skipped(id, on(submission), 'skip.probe-not-in-version', { probe: 'submission' })),
    skipped('P1.implicit-tls', on(submissions), 'skip.probe-not-in-version', { probe: 'implicit-tls' }),
  ];
};
