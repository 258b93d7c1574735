/**
 * All six practices judged from one input, in report order, each with its
 * title, references and worst-of status. Every practice is always present.
 */
import type { PracticeId, PracticeResult } from '../model.js';
import { CHECK_IDS, PRACTICES } from './catalogue.js';
import type { CheckInput, PracticeCheck } from './check-input.js';
import { checkP1 } from './p1.js';
import { checkP2 } from './p2.js';
import { checkP3 } from './p3.js';
import { checkP4 } from './p4.js';
import { checkP5 } from './p5.js';
import { checkP6 } from './p6.js';
import { worstStatus } from './status.js';

/** One practice file per practice (DESIGN.md: one practice, one file). */
export const PRACTICE_CHECKS: Readonly<Record<PracticeId, PracticeCheck>> = {
  P1: checkP1,
  P2: checkP2,
  P3: checkP3,
  P4: checkP4,
  P5: checkP5,
  P6: checkP6,
};

/**
 * Runs every practice's checks and combines their statuses (fail > error > warn > pass; skip only when all skip).
 *
 * @example
 * judgePractices({ plan, observations: [], inbound: emptyInbound(), vantages: [] }).map((p) => p.status)
 * // ['skip', 'skip', 'skip', 'skip', 'skip', 'skip']
 */
export function judgePractices(input: CheckInput): PracticeResult[] {
  return PRACTICES.map((practice) => {
    const order = (id: string) => CHECK_IDS.indexOf(id as (typeof CHECK_IDS)[number]);
    // Array.prototype.sort is stable: results of one check keep their target order.
    const checks = PRACTICE_CHECKS[practice.id](input).sort((a, b) => order(a.id) - order(b.id));
    return {
      id: practice.id,
      title: practice.title,
      references: [...practice.references],
      status: worstStatus(checks.map((check) => check.status)),
      checks,
    };
  });
}
