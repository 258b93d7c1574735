/**
 * The audit plan for the lab: what an ISP would write for this network
 * (DESIGN.md "Audit plan"), with the lab's DNS server, CA and customer login.
 */
import { ADDRESSES, NAMES } from './network.js';

/** Environment variables that carry the lab customer's login to the CLI (never written into the plan). */
export const CREDENTIAL_ENV = { userEnv: 'P25LAB_USER', passwordEnv: 'P25LAB_PASSWORD' } as const;

/**
 * The plan document (before the CLI normalizes it). The census of the dynamic
 * ranges (sample size 256 ≥ the 128 + 128 addresses, less the business relay)
 * makes P6 exact; the timeouts are short because the lab's links have no latency.
 *
 * @example labPlan('compliant', '/tmp/p25lab-audit/compliant/ca.pem')
 */
export function labPlan(scenario: string, caFile: string): Record<string, unknown> {
  const { customers, isp } = ADDRESSES;
  return {
    version: 1,
    name: `p25lab ISP (scenario ${scenario})`,
    scope: { dynamic: [customers.dynamic4, customers.dynamic6], hosts: [], exclude: [] },
    authorizedRelays: [isp.relay, customers.authorizedRelay],
    submission: { servers: [NAMES.msa], domain: NAMES.domain },
    external: { mx: [NAMES.mxCanary], submission: [NAMES.submissionCanary] },
    sample: { size: 256, seed: 1 },
    ports: { smtp: 25, submission: 587, submissions: 465, https: 443 },
    probe: { concurrency: 256, rate: 0, connectTimeoutMs: 1500, dialogTimeoutMs: 5000, ehloName: NAMES.auditor },
    dns: { servers: [isp.dns] },
    tls: { caFile },
    credentials: { ...CREDENTIAL_ENV },
  };
}
