/**
 * Beyond one machine (issue 7, part 5): the sample split into N shards scanned
 * by N processes side by side (as N machines would: a Kubernetes Indexed Job,
 * a CI matrix), merged by `report`, gives the report of the unsharded scan.
 */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parsePlan, parseShard, type Report } from '@port25-audit/core';
import { greeter, listen, type TestListener } from '../core/net/listeners.js';
import { REPO, runCli, tempDir } from '../helpers/cli.js';

const SHARDS = 3;

/** Keys that say when something ran or how long it took: they differ between any two scans. */
const TIMING = new Set(['generatedAt', 'startedAt', 'finishedAt', 'ms']);

function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !TIMING.has(key)).map(([key, inner]) => [key, withoutTimings(inner)]));
}

/**
 * The report without what legitimately differs between one scan and N: when
 * things ran and how long they took, how many files a vantage came from, and
 * the order of P6's open hosts (listed as their observations were read, and
 * three files are read one after the other).
 */
function comparable(report: Report): unknown {
  const practices = report.practices.map((practice) => ({
    ...practice,
    checks: practice.checks.map((check) => {
      const openHosts = (check.evidence as { openHosts?: { address: string }[] }).openHosts;
      if (openHosts === undefined) return check;
      return { ...check, evidence: { ...check.evidence, openHosts: [...openHosts].sort((a, b) => (a.address < b.address ? -1 : 1)) } };
    }),
  }));
  return withoutTimings({ ...report, practices, vantages: report.vantages.map((vantage) => ({ ...vantage, shards: null })) });
}

describe('e2e: shards scanned by parallel processes, merged by report', function () {
  this.timeout(90_000);
  let dir: string;
  let hosts: TestListener[];
  let planPath: string;

  before(async function () {
    dir = await tempDir();
    const first = await listen('127.20.66.10', greeter('220 bot.customer.test.example ESMTP\r\n'));
    hosts = [
      first,
      await listen('127.20.70.33', greeter('220 another.customer.test.example ESMTP\r\n'), first.port),
      await listen('127.20.68.1', greeter('220 relay.isp.test.example ESMTP\r\n'), first.port),
    ];
    planPath = join(dir, 'plan.json');
    // The two customers always (scope.hosts), then a sample of 3,000 of the other addresses.
    writeFileSync(
      planPath,
      JSON.stringify({
        version: 1,
        name: 'e2e shards',
        scope: { dynamic: ['127.20.64.0/20'], hosts: ['127.20.66.10', '127.20.70.33'] },
        authorizedRelays: ['127.20.68.1'],
        sample: { size: 3_000, seed: 25 },
        ports: { smtp: first.port },
        probe: { concurrency: 256, connectTimeoutMs: 2000 },
      }),
    );
  });
  after(async function () {
    for (const host of hosts ?? []) await host.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`the merged report of ${SHARDS} shard files equals the unsharded one`, async function () {
    const scan = (out: string, shard?: string) =>
      runCli(['scan', '--plan', planPath, '--vantage', 'outside', '--label', 'outside@e2e', '--out', out, '--quiet', ...(shard ? ['--shard', shard] : [])]);
    const shardFiles = Array.from({ length: SHARDS }, (_, k) => join(dir, `shard-${k}.ndjson`));
    const runs = await Promise.all(shardFiles.map((file, k) => scan(file, `${k}/${SHARDS}`)));
    for (const run of runs) expect(run.code, run.stderr).to.equal(0);
    const whole = join(dir, 'whole.ndjson');
    expect((await scan(whole)).code).to.equal(0);

    // Disjoint shards whose union is the sample: every target once across the files.
    const targets = shardFiles.flatMap((file) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; probe?: string; target?: { address: string } })
        .filter((line) => line.type === 'observation' && line.probe === 'inbound-smtp')
        .map((line) => line.target!.address),
    );
    expect(new Set(targets).size).to.equal(targets.length);
    // scope.hosts, then 3,000 sampled addresses (never the hosts again, never the relay).
    expect(targets).to.have.length(3_002);
    expect(targets).to.include.members(['127.20.66.10', '127.20.70.33']).and.not.include('127.20.68.1');

    const report = async (files: string[], out: string): Promise<Report> => {
      const run = await runCli(['report', ...files, '--format', 'json', '--out', out, '--fail-on', 'never']);
      expect(run.code, run.stderr).to.equal(0);
      return JSON.parse(readFileSync(out, 'utf8')) as Report;
    };
    const merged = await report(shardFiles, join(dir, 'merged.json'));
    const single = await report([whole], join(dir, 'single.json'));

    expect(merged.vantages).to.have.length(1);
    expect(merged.vantages[0]).to.include({ kind: 'outside', label: 'outside@e2e', shards: SHARDS, complete: true });
    expect(single.vantages[0]).to.include({ shards: 1, complete: true });
    expect(comparable(merged)).to.deep.equal(comparable(single));

    // The findings themselves, not only their equality: both open customers, the relay as an exception.
    const p6 = merged.practices.find((practice) => practice.id === 'P6')!;
    const inbound = p6.checks.find((check) => check.id === 'P6.inbound-25-blocked')!;
    expect(inbound.status).to.equal('fail');
    expect((inbound.evidence as { counts: Record<string, number> }).counts).to.include({ open: 2, closed: 3_000 });
    expect(p6.checks.find((check) => check.id === 'P6.authorized-exceptions')?.status).to.equal('pass');
  });

  describe('the shipped examples (docs/examples)', function () {
    it('the Kubernetes Indexed Job: N completions, N shards, pod K scans shard K, its plan validates', function () {
      const path = join(REPO, 'docs', 'examples', 'k8s-indexed-job.yaml');
      const [configMap, job] = parseAllDocuments(readFileSync(path, 'utf8')).map((document) => document.toJS()) as [
        { data: { 'plan.yaml': string } },
        { spec: { completionMode: string; completions: number; template: { spec: { containers: { env: { name: string; value: string }[]; args: string[] }[] } } } },
      ];
      expect(job.spec.completionMode).to.equal('Indexed');
      const container = job.spec.template.spec.containers[0]!;
      expect(container.env.find((variable) => variable.name === 'SHARD_COUNT')?.value).to.equal(String(job.spec.completions));
      const script = container.args[0]!;
      expect(script).to.include('--shard "${JOB_COMPLETION_INDEX}/${SHARD_COUNT}"').and.include('--resume "$out"').and.include('--label outside@k8s');
      // What the shell makes of the last pod's --shard is a shard the CLI accepts.
      expect(parseShard(`${job.spec.completions - 1}/${job.spec.completions}`)).to.deep.equal({ index: job.spec.completions - 1, count: job.spec.completions });
      expect(parsePlan(configMap.data['plan.yaml'], `${path} (plan.yaml)`).plan.sample.size).to.equal(200_000);
    });

    it('the GitHub Actions matrix: shards 0..N-1 with N = SHARDS, one label, one report over all files', function () {
      const path = join(REPO, 'docs', 'examples', 'github-actions-matrix.yml');
      const workflow = parseAllDocuments(readFileSync(path, 'utf8'))[0]!.toJS() as {
        env: { SHARDS: number };
        jobs: { scan: { strategy: { matrix: { shard: number[] } }; steps: { run?: string }[] }; report: { needs: string; steps: { run?: string }[] } };
      };
      const shards = workflow.env.SHARDS;
      expect(workflow.jobs.scan.strategy.matrix.shard).to.deep.equal(Array.from({ length: shards }, (_, k) => k));
      const scanStep = workflow.jobs.scan.steps.find((step) => step.run?.includes('port25-audit scan'))!;
      expect(scanStep.run).to.include('--shard ${{ matrix.shard }}/${{ env.SHARDS }}').and.include('--label outside@github-actions');
      expect(workflow.jobs.report.needs).to.equal('scan');
      expect(workflow.jobs.report.steps.some((step) => step.run?.includes('port25-audit report scans/*.ndjson'))).to.equal(true);
    });
  });
});
