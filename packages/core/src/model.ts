/**
 * The model shared by every part of port25-audit: the normalized plan, the
 * observations probes make, the results checks derive and the report that
 * reporters render. ../shared/DESIGN.md is the contract these types follow.
 */

/** Result words of a check, worst first in {@link STATUS_SEVERITY}. */
export type Status = 'pass' | 'warn' | 'fail' | 'skip' | 'error';
export type PracticeId = 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | 'P6';
export type VantageKind = 'inside' | 'outside';
export type Family = 'IPv4' | 'IPv6';

/** TCP outcome: RST = closed, timeout = filtered, ICMP/EHOSTUNREACH/ENETUNREACH/EACCES = unreachable. */
export type TcpOutcome = 'open' | 'closed' | 'filtered' | 'unreachable' | 'error';
export const TCP_OUTCOMES: readonly TcpOutcome[] = ['open', 'closed', 'filtered', 'unreachable', 'error'];

// ---------------------------------------------------------------- plan

/** An external canary after normalization: the port is concrete, `expect` is null when it cannot be judged. */
export interface Canary {
  host: string;
  port: number;
  expect: string | null;
}

export interface Attestation {
  text: string;
  url: string | null;
  date: string | null;
  who: string | null;
}

/** A plan after validation and defaults: every field present. */
export interface Plan {
  version: 1;
  name: string;
  scope: { dynamic: string[]; hosts: string[]; exclude: string[] };
  authorizedRelays: string[];
  submission: { servers: string[]; domain: string | null };
  external: { mx: Canary[]; submission: Canary[] };
  sample: { size: number; seed: number };
  /** `https` is where P4 fetches autoconfig (443; a lab may remap it). */
  ports: { smtp: number; submission: number; submissions: number; https: number };
  probe: {
    concurrency: number;
    /** New connections per second; 0 = unlimited. */
    rate: number;
    connectTimeoutMs: number;
    dialogTimeoutMs: number;
    ehloName: string;
  };
  dns: { servers: string[] };
  tls: { caFile: string | null };
  credentials: { userEnv: string; passwordEnv: string } | null;
  attestations: { P4: Attestation | null };
}

// ---------------------------------------------------------------- targets and observations

export interface Target {
  /** The plan's name for the target, or null for a bare address (sampled hosts). */
  host: string | null;
  address: string;
  port: number;
  family: Family;
}

/** Probe ids: one file each under probes/. */
export type ProbeId =
  | 'dns' // resolution of a name the plan gives
  | 'inbound-smtp' // P6: a sampled dynamic host on ports.smtp, outside
  | 'relay-smtp' // P5/P6: an authorized relay on ports.smtp
  | 'outbound-smtp' // P5: an external MX canary on its port, inside
  | 'outbound-submission' // P3: an external submission canary on its port, inside
  | 'submission' // P1/P2: a submission server on ports.submission
  | 'implicit-tls' // P1: a submission server on ports.submissions
  | 'srv-records' // P4
  | 'autoconfig'; // P4

/** The first reply a peer sent after connect, bounded and as text. */
export interface Banner {
  /** The reply as received (control bytes kept; reporters escape). */
  text: string;
  /** SMTP reply code of the banner, or null when it did not parse as one. */
  code: number | null;
  truncated: boolean;
  ms: number;
}

export interface ObservationBase {
  type: 'observation';
  probe: ProbeId;
  target: Target;
  vantage: VantageKind;
  /** ISO 8601. */
  startedAt: string;
  ms: number;
  outcome: string;
}

/** A TCP-level observation, optionally with the banner read after connect. */
export interface TcpObservation extends ObservationBase {
  probe: 'inbound-smtp' | 'relay-smtp' | 'outbound-smtp' | 'outbound-submission';
  outcome: TcpOutcome;
  /** OS error code (ECONNREFUSED, EHOSTUNREACH, ETIMEDOUT, SCOPE, ...), when there was one. */
  errorCode?: string;
  banner?: Banner | null;
  /**
   * The reply to EHLO, outbound canary probes only (a proxy may pass the
   * canary's greeting through, but answers EHLO itself): null when EHLO was
   * not sent (no complete 220 greeting, RFC 5321 §3.1); absent for the other
   * probes and for ports that did not open.
   */
  ehlo?: Banner | null;
  /** Canary's expected greeting text, for outbound probes. */
  expect?: string | null;
  /**
   * `none` when the dial came back unreachable and the vantage's kernel has no
   * route to the address at all: nothing left the host, so the outcome is
   * `error` (the probe could not run) and the address's family is untested.
   */
  route?: 'none';
}

/** Resolution of a name of the plan, recorded so that a failed lookup is an `error` result. */
export interface DnsObservation extends ObservationBase {
  probe: 'dns';
  outcome: 'resolved' | 'error';
  name: string;
  addresses: { address: string; family: Family }[];
  errorCode?: string;
}

/** Observations of probes from later issues are open records with the same base. */
export interface GenericObservation extends ObservationBase {
  [key: string]: unknown;
}

export type Observation = TcpObservation | DnsObservation | GenericObservation;

// ---------------------------------------------------------------- scan files (NDJSON)

export interface ToolInfo {
  name: 'port25-audit';
  version: string;
}

export interface VantageInfo {
  kind: VantageKind;
  label: string;
  host: string;
}

export interface ScanHeader {
  type: 'scan';
  schemaVersion: 1;
  tool: ToolInfo;
  plan: Plan;
  planDigest: string;
  vantage: VantageInfo;
  shard: { index: number; count: number };
  startedAt: string;
}

export interface ScanEnd {
  type: 'end';
  finishedAt: string;
  /** Observations by outcome word. */
  counts: Record<string, number>;
}

export type ScanLine = ScanHeader | Observation | ScanEnd;

// ---------------------------------------------------------------- checks and report

/** Evidence is plain JSON. */
export type Evidence = Record<string, unknown>;

export interface CheckResult {
  /** Check id from the catalogue, e.g. `P1.starttls-offered`. */
  id: string;
  /** `name:port (address)`, `address:port`, `[v6]:port`, or a plan-level label such as `example.net`. */
  target: string;
  vantage: VantageKind | 'any';
  status: Status;
  /** One English sentence; reporters may translate through `message`. */
  summary: string;
  /** Stable message id and parameters, so reporters can render the summary in another language. */
  message?: { id: string; params?: Record<string, string | number> };
  evidence: Evidence;
  address?: string;
  port?: number;
  family?: Family;
}

export interface PracticeResult {
  id: PracticeId;
  title: string;
  references: string[];
  status: Status;
  checks: CheckResult[];
}

export type StatusCounts = Record<Status, number>;

export interface ReportVantage {
  kind: VantageKind;
  label: string;
  host: string;
  startedAt: string;
  finishedAt: string | null;
  shards: number;
  /** True when every shard file of this vantage ended (no torn or interrupted scan). */
  complete: boolean;
}

export interface Report {
  schemaVersion: 1;
  tool: ToolInfo;
  generatedAt: string;
  plan: { name: string; digest: string };
  vantages: ReportVantage[];
  status: Status;
  practices: PracticeResult[];
  counts: StatusCounts;
}

/** Worst first: a practice's status is the worst of its checks; skip only when all skip. */
export const STATUS_SEVERITY: readonly Status[] = ['fail', 'error', 'warn', 'pass', 'skip'];
