/**
 * The report model of DESIGN.md ("Observations, scans and reports"): what
 * every reporter renders and nothing else. Built from the merged scan files.
 */
import type {
  Observation,
  Plan,
  Report,
  ReportVantage,
  ScanEnd,
  ScanHeader,
  VantageKind,
} from '../model.js';
import { TOOL } from '../version.js';
import type { InboundAggregate } from './inbound.js';
import { judgePractices } from './practices.js';
import { countStatuses, worstStatus } from './status.js';

/** What a report is built from: the plan of the scans, their headers and end lines, and what they observed. */
export interface ReportInput {
  plan: Plan;
  /** `sha256:…` digest of the normalized plan, as the scan headers carry it. */
  digest: string;
  headers: readonly ScanHeader[];
  /** The end line of each scan file, parallel to `headers`; null for a file that never ended. */
  ends: readonly (ScanEnd | null)[];
  /** Every observation except `inbound-smtp` (folded into `inbound`). */
  observations: readonly Observation[];
  inbound: InboundAggregate;
  now: Date;
  /** Addresses in P6 scope; P6 computes it from the plan when left out. */
  universe?: bigint | number | null;
}

/**
 * Judges every practice and assembles the report: all six practices in order,
 * the worst-of status, counts over every check result, and one entry per
 * vantage (kind and label) saying whether all its shards were scanned to the end.
 *
 * @example
 * const report = buildReport({ plan, digest, headers: [header], ends: [end], observations, inbound, now: new Date() });
 * report.practices.map((practice) => practice.id) // ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']
 */
export function buildReport(input: ReportInput): Report {
  if (input.ends.length !== input.headers.length) {
    throw new RangeError(`buildReport needs one end entry per header: ${input.headers.length} headers, ${input.ends.length} ends`);
  }
  const vantages = reportVantages(input.headers, input.ends);
  const practices = judgePractices({
    plan: input.plan,
    observations: input.observations,
    inbound: input.inbound,
    vantages: [...new Set(vantages.map((vantage) => vantage.kind))],
    ...(input.universe === undefined ? {} : { universe: input.universe }),
  });
  return {
    schemaVersion: 1,
    tool: { ...TOOL },
    generatedAt: input.now.toISOString(),
    plan: { name: input.plan.name, digest: input.digest },
    vantages,
    status: worstStatus(practices.map((practice) => practice.status)),
    practices,
    counts: countStatuses(practices.flatMap((practice) => practice.checks)),
  };
}

const KIND_ORDER: readonly VantageKind[] = ['inside', 'outside'];

/** One entry per vantage kind and label, inside first, then by label. */
function reportVantages(headers: readonly ScanHeader[], ends: readonly (ScanEnd | null)[]): ReportVantage[] {
  const groups = new Map<string, { header: ScanHeader; end: ScanEnd | null }[]>();
  headers.forEach((header, index) => {
    const key = JSON.stringify([header.vantage.kind, header.vantage.label]);
    const group = groups.get(key) ?? [];
    group.push({ header, end: ends[index] ?? null });
    groups.set(key, group);
  });
  const vantages = [...groups.values()].map((files): ReportVantage => {
    const first = files[0]!.header;
    const hosts = [...new Set(files.map(({ header }) => header.vantage.host))];
    const counts = new Set(files.map(({ header }) => header.shard.count));
    const shards = Math.max(...counts);
    const indices = new Set(files.map(({ header }) => header.shard.index));
    const finished = files.flatMap(({ end }) => (end === null ? [] : [end.finishedAt]));
    return {
      kind: first.vantage.kind,
      label: first.vantage.label,
      host: hosts.join(', '),
      startedAt: earliest(files.map(({ header }) => header.startedAt)),
      finishedAt: finished.length === 0 ? null : latest(finished),
      shards,
      // Complete: one agreed shard count, every shard present once, every file ended.
      complete: counts.size === 1 && indices.size === shards && files.every(({ end }) => end !== null),
    };
  });
  return vantages.sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
  );
}

function earliest(times: readonly string[]): string {
  return times.reduce((best, time) => (Date.parse(time) < Date.parse(best) ? time : best));
}

function latest(times: readonly string[]): string {
  return times.reduce((best, time) => (Date.parse(time) > Date.parse(best) ? time : best));
}
