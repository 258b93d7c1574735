/**
 * P4.srv-records: the SRV records a mail domain publishes for submission,
 * `_submission._tcp.DOMAIN` (RFC 6186 §3.1, STARTTLS on 587) and
 * `_submissions._tcp.DOMAIN` (RFC 8314 §5.1, implicit TLS on 465), from both
 * vantages (split-horizon DNS may answer customers differently).
 *
 * One query per service, through the plan's `dns.servers` when it names them.
 * The records' targets are facts to compare with the plan: they are never
 * resolved and never connected to (DESIGN "Scope is a promise").
 */
import { srvResolver, lookupSrv, type SrvResolver } from '../net/srv.js';
import { SUBMISSION_SERVICES, type SrvObservation, type SubmissionService } from './client-config-observation.js';
import type { Probe, ProbeContext, Task, TaskInput } from './probe.js';

/** Both vantages: what a customer's client and what the world see may differ. */
const SRV_VANTAGES = ['outside', 'inside'] as const;

/** Per-try timeout of a query: the plan's connect timeout, at most 5 s (two tries). */
function queryTimeoutMs(ctx: ProbeContext): number {
  return Math.min(ctx.plan.probe.connectTimeoutMs, 5000);
}

/** The service of a query name `_submission._tcp.DOMAIN`, or null for another name. */
function serviceOf(name: string, domain: string): SubmissionService | null {
  return SUBMISSION_SERVICES.find((service) => name === `${service}.${domain}`) ?? null;
}

export interface SrvRecordsProbeOptions {
  /** The resolver to ask (tests); default node:dns with the plan's `dns.servers`. */
  resolver?: (ctx: ProbeContext) => SrvResolver;
}

/**
 * An SRV probe; {@link srvRecordsProbe} is the one the scan runs.
 *
 * @example
 * const probe = createSrvRecordsProbe({ resolver: () => ({ servers: ['zone'], query: async () => [] }) });
 */
export function createSrvRecordsProbe(options: SrvRecordsProbeOptions = {}): Probe {
  const resolverFor = options.resolver ?? ((ctx: ProbeContext) => srvResolver(ctx.plan.dns.servers, queryTimeoutMs(ctx)));
  return {
    id: 'srv-records',
    vantages: SRV_VANTAGES,
    *tasks(input: TaskInput): Iterable<Task> {
      const domain = input.plan.submission.domain;
      // Plan-level work, not part of the sample: shard 0 only.
      if (domain === null || input.shard.index !== 0) return;
      for (const service of SUBMISSION_SERVICES) {
        yield { probe: 'srv-records', target: { host: `${service}.${domain}`, address: '', port: 0, family: 'IPv4' } };
      }
    },
    async run(task: Task, ctx: ProbeContext): Promise<SrvObservation> {
      const startedAt = ctx.now().toISOString();
      const started = performance.now();
      const name = task.target.host ?? '';
      const domain = ctx.plan.submission.domain ?? name.split('.').slice(2).join('.');
      const service = serviceOf(name, domain) ?? '_submission._tcp';
      const resolver = resolverFor(ctx);
      const answer = await lookupSrv(name, resolver, ctx.signal);
      const base = {
        type: 'observation' as const,
        probe: 'srv-records' as const,
        target: task.target,
        vantage: ctx.vantage,
        startedAt,
        ms: Math.round((performance.now() - started) * 10) / 10,
        service,
        domain,
        name,
        resolver: resolver.servers,
      };
      return answer.outcome === 'records'
        ? { ...base, outcome: 'records', records: answer.records }
        : { ...base, outcome: answer.outcome, records: [], errorCode: answer.errorCode };
    },
  };
}

/** The SRV probe (id `srv-records`): both submission services of `submission.domain`. */
export const srvRecordsProbe: Probe = createSrvRecordsProbe();
