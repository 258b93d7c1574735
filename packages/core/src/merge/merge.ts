/**
 * `port25-audit report SCAN...`: merges the scan files of one plan (several
 * vantages, several shards, resumed files) into what the checks judge, and
 * builds the report from them. Files are streamed; inbound observations are
 * folded into the P6 aggregate as they are read, so a sample of millions of
 * hosts merges in bounded memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { buildReport } from '../checks/report.js';
import { addInbound, emptyInbound, isInboundObservation, type InboundAggregate } from '../checks/inbound.js';
import { Port25Error } from '../errors.js';
import type { Observation, Plan, Report, ScanEnd, ScanHeader } from '../model.js';
import { readScanFile, readScanHeader } from '../scan/file.js';
import { SeenTasks } from './seen-tasks.js';

export interface MergeOptions {
  /** How many open hosts P6 lists (the total is always counted); default 100. */
  openHostCap?: number;
  /** Told about what the merge dropped: a torn last line, a file given twice. */
  onWarning?: (message: string) => void;
}

/** One scan file as merged. */
export interface MergedScanFile {
  path: string;
  header: ScanHeader;
  /** The end line, or null when the scan never ended (killed, or still running). */
  end: ScanEnd | null;
  /** Observation lines read, duplicates included. */
  observations: number;
  /** Observation lines dropped because their task was already seen. */
  duplicates: number;
}

/** What the scan files of one plan hold together. */
export interface MergedScans {
  plan: Plan;
  digest: string;
  /** The files merged, in the order given (identical copies left out). */
  files: MergedScanFile[];
  /** `files[i].header`, for buildReport. */
  headers: ScanHeader[];
  /** `files[i].end`, for buildReport. */
  ends: (ScanEnd | null)[];
  /** Every distinct observation except `inbound-smtp`, first seen first. */
  observations: Observation[];
  /** Every distinct `inbound-smtp` observation, folded. */
  inbound: InboundAggregate;
  /** Paths left out because an identical file was already given for the same vantage and shard. */
  identicalCopies: string[];
}

/**
 * Merges scan files of one plan. All headers must carry the same plan digest;
 * one vantage (kind and label) may appear once per shard (a second, identical
 * file is skipped); an observation whose (vantage, task) was already seen is
 * dropped, the first one kept.
 *
 * @throws Port25Error DIGEST_MISMATCH naming every file and its digest when the files belong to different plans;
 *   SCAN_FILE_INVALID when two different files claim the same vantage and shard, or a file is not a scan.
 * @example
 * const merged = await mergeScanFiles(['inside.ndjson', 'outside-0.ndjson', 'outside-1.ndjson']);
 */
export async function mergeScanFiles(paths: readonly string[], options: MergeOptions = {}): Promise<MergedScans> {
  if (paths.length === 0) {
    throw new Port25Error('USAGE', 'no scan file given', ['name at least one file written by `port25-audit scan`']);
  }
  const headers: { path: string; header: ScanHeader }[] = [];
  for (const path of paths) headers.push({ path, header: await readScanHeader(path) });
  checkOnePlan(headers);
  const { kept, identicalCopies } = await oneFilePerShard(headers);
  for (const path of identicalCopies) options.onWarning?.(`${path}: skipped, an identical copy of a file given before`);

  const seen = new SeenTasks();
  const observations: Observation[] = [];
  let inbound = emptyInbound(options.openHostCap);
  const files: MergedScanFile[] = [];
  for (const { path, header } of kept) {
    const file: MergedScanFile = { path, header, end: null, observations: 0, duplicates: 0 };
    const readOptions = options.onWarning === undefined ? {} : { onWarning: options.onWarning };
    for await (const line of readScanFile(path, readOptions)) {
      if (line.type === 'end') file.end = line as ScanEnd;
      if (line.type !== 'observation') continue;
      const observation = line as Observation;
      file.observations += 1;
      if (!seen.add(observation)) {
        file.duplicates += 1;
        continue;
      }
      if (isInboundObservation(observation)) inbound = addInbound(inbound, observation);
      else observations.push(observation);
    }
    files.push(file);
  }
  const first = kept[0]!.header;
  return {
    plan: first.plan,
    digest: first.planDigest,
    files,
    headers: files.map((file) => file.header),
    ends: files.map((file) => file.end),
    observations,
    inbound,
    identicalCopies,
  };
}

/**
 * Merges the scan files and builds the report (DESIGN.md `report SCAN...`).
 *
 * @example
 * const report = await reportFromScanFiles(['inside.ndjson', 'outside.ndjson'], new Date());
 */
export async function reportFromScanFiles(paths: readonly string[], now: Date, options: MergeOptions = {}): Promise<Report> {
  const merged = await mergeScanFiles(paths, options);
  return buildReport({
    plan: merged.plan,
    digest: merged.digest,
    headers: merged.headers,
    ends: merged.ends,
    observations: merged.observations,
    inbound: merged.inbound,
    now,
  });
}

function checkOnePlan(headers: readonly { path: string; header: ScanHeader }[]): void {
  const digests = new Set(headers.map(({ header }) => header.planDigest));
  if (digests.size === 1) return;
  throw new Port25Error(
    'DIGEST_MISMATCH',
    `the scan files belong to ${digests.size} different plans`,
    [
      ...headers.map(({ path, header }) => `${path}: plan "${header.plan.name}" ${header.planDigest}`),
      'report the scan files of one plan together; scan again with the same plan file where one differs',
    ],
  );
}

/** Keeps one file per (vantage kind, label, shard): a second identical file is skipped, a different one refused. */
async function oneFilePerShard(
  headers: readonly { path: string; header: ScanHeader }[],
): Promise<{ kept: { path: string; header: ScanHeader }[]; identicalCopies: string[] }> {
  const byShard = new Map<string, { path: string; hash: string | null }>();
  const kept: { path: string; header: ScanHeader }[] = [];
  const identicalCopies: string[] = [];
  for (const entry of headers) {
    const { kind, label } = entry.header.vantage;
    const { index, count } = entry.header.shard;
    const key = JSON.stringify([kind, label, index, count]);
    const earlier = byShard.get(key);
    if (earlier === undefined) {
      byShard.set(key, { path: entry.path, hash: null });
      kept.push(entry);
      continue;
    }
    earlier.hash ??= await fileHash(earlier.path);
    if ((await fileHash(entry.path)) === earlier.hash) {
      identicalCopies.push(entry.path);
      continue;
    }
    throw new Port25Error(
      'SCAN_FILE_INVALID',
      `${earlier.path} and ${entry.path} are both shard ${index}/${count} of the ${kind} vantage "${label}" but differ`,
      [
        'give one file per vantage and shard: after `scan --resume FILE`, FILE holds everything the interrupted scan saw',
        'scans from several places need different vantage labels',
      ],
    );
  }
  return { kept, identicalCopies };
}

async function fileHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Port25Error('IO', `${path}: cannot read the scan file (${code})`, [], { cause: error });
  }
  return hash.digest('hex');
}
