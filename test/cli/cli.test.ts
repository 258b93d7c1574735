import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPlan } from '@port25-audit/core';
import { startGreeter, type Greeter } from '@port25-audit/fixtures/lab';
import { runCli, tempDir } from '../helpers/cli.js';

const readLines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('cli: usage and exit codes', () => {
  it('prints help with every command and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).to.equal(0);
    for (const command of ['init', 'scan', 'report', 'audit', 'demo']) expect(run.stdout).to.contain(command);
    expect(run.stderr).to.equal('');
  });

  it('exits 2 without a command, naming what to do', async () => {
    const run = await runCli([]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('Name a command');
    expect(run.stdout).to.equal('');
  });

  it('exits 2 on an unknown option', async () => {
    const run = await runCli(['scan', '--plan', 'x.yaml', '--vantage', 'outside', '--bogus']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/Unknown argument: bogus/);
  });

  it('exits 2 on a vantage that is neither inside nor outside, in one line', async () => {
    const run = await runCli(['scan', '--plan', 'x.yaml', '--vantage', 'sideways']);
    expect(run.code).to.equal(2);
    expect(run.stderr.split('\n')[0]).to.match(/vantage.*sideways/);
  });

  // Regressions found by the argument fuzzer (test/adversarial/cli-args.test.ts).
  it('exits 2 when an option that takes a value is given none, naming it', async () => {
    const dir = await tempDir();
    for (const args of [
      ['scan', '--plan', 'p.yaml', '--vantage', 'outside', '--shard'],
      ['scan', '--plan', 'p.yaml', '--vantage', 'outside', '--resume'],
      ['init', '--out'],
    ]) {
      const run = await runCli(args, { cwd: dir });
      expect(run.code, args.join(' ')).to.equal(2);
      expect(run.stderr).to.match(new RegExp(args.at(-1)!.slice(2)));
    }
    expect(await readFile(join(dir, 'plan.yaml'), 'utf8').catch(() => null)).to.equal(null);
  });

  it("exits 2 on '--' instead of ignoring what follows it", async () => {
    const dir = await tempDir();
    const run = await runCli(['init', '--', '--out', 'x.yaml'], { cwd: dir });
    expect(run.code).to.equal(2);
    expect(await readFile(join(dir, 'plan.yaml'), 'utf8').catch(() => null)).to.equal(null);
  });

  it('names a bad --shard even when the plan is bad too, and refuses a repeated option', async () => {
    const shard = await runCli(['scan', '--plan', 'missing.yaml', '--vantage', 'outside', '--shard', '3/2']);
    expect(shard.code).to.equal(2);
    expect(shard.stderr).to.match(/3\/2/);
    const repeated = await runCli(['scan', '--plan', 'first.yaml', '--plan', 'second.yaml', '--vantage', 'outside']);
    expect(repeated.code).to.equal(2);
    expect(repeated.stderr).to.contain('--plan is given more than once');
  });

  it('exits 2 when report names a scan file that does not exist', async () => {
    const run = await runCli(['report', 'missing.ndjson']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('missing.ndjson: no such file');
  });
});

describe('cli: init', () => {
  it('writes an annotated example plan that validates, and refuses to overwrite it', async () => {
    const dir = await tempDir();
    const first = await runCli(['init'], { cwd: dir });
    expect(first.code).to.equal(0);
    const text = await readFile(join(dir, 'plan.yaml'), 'utf8');
    expect(text).to.match(/^#/m);
    const loaded = await loadPlan(join(dir, 'plan.yaml'));
    expect(loaded.plan.version).to.equal(1);
    expect(loaded.digest).to.match(/^sha256:[0-9a-f]{64}$/);

    const second = await runCli(['init'], { cwd: dir });
    expect(second.code).to.equal(2);
    expect(second.stderr).to.contain('already exists');
    expect(await readFile(join(dir, 'plan.yaml'), 'utf8')).to.equal(text);
  });

  it('prints the plan on stdout with --out -', async () => {
    const run = await runCli(['init', '--out', '-']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain('version: 1');
  });
});

describe('cli: bad plans', () => {
  it('exits 2 with one line per problem naming the file, the path and the reason', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'plan.yaml'),
      'version: 1\nscope:\n  dynamic: [127.40.0.0/24, 127.40.1.0/33]\nports: { smtp: 70000 }\nsampel: { size: 3 }\n',
    );
    const run = await runCli(['scan', '--plan', 'plan.yaml', '--vantage', 'outside'], { cwd: dir });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/plan\.yaml: scope\.dynamic\[1\]: .*127\.40\.1\.0\/33.* is not a CIDR range/);
    expect(run.stderr).to.match(/plan\.yaml: ports\.smtp: /);
    expect(run.stderr).to.match(/plan\.yaml: .*sampel/);
    expect(run.stderr).not.to.match(/\n\s+at /); // no stack trace
    expect(run.stdout).to.equal('');
  });

  it('exits 2 naming a plan file that does not exist', async () => {
    const dir = await tempDir();
    const run = await runCli(['scan', '--plan', 'missing.yaml', '--vantage', 'outside'], { cwd: dir });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('missing.yaml');
  });

  it('exits 2 when the plan names nothing to probe from the vantage, saying what to add', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'plan.yaml'), 'version: 1\n');
    const run = await runCli(['scan', '--plan', 'plan.yaml', '--vantage', 'inside'], { cwd: dir });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/external\.mx|authorizedRelays/);
  });
});

describe('cli: scan both vantages on loopback and report (P3, P5, P6)', function () {
  this.timeout(60_000);
  const SMTP = 2625;
  const SUBMISSION = 2687;
  let listeners: Greeter[] = [];
  let dir: string;

  before(async () => {
    listeners = [
      await startGreeter('127.40.1.3', SMTP, 'infected-3.customers.test ESMTP'),
      await startGreeter('127.40.1.9', SMTP, 'infected-9.customers.test ESMTP'),
      await startGreeter('127.40.1.5', SMTP, 'relay.isp.test ESMTP'),
      // From the inside, outbound 25 to the canary opens: P5 must fail.
      await startGreeter('127.40.2.25', SMTP, 'mx.canary.test ESMTP'),
      // The submission canary answers with someone else's greeting: interception, P3 must fail.
      await startGreeter('127.40.2.87', SUBMISSION, 'proxy.isp.test ESMTP'),
    ];
    dir = await tempDir();
    await writeFile(
      join(dir, 'plan.yaml'),
      [
        'version: 1',
        'name: CLI loopback ISP',
        'scope: { dynamic: [127.40.1.0/28] }',
        'authorizedRelays: [127.40.1.5]',
        'external:',
        '  mx: [{ host: 127.40.2.25, expect: mx.canary.test }]',
        '  submission: [{ host: 127.40.2.87, expect: smtp.canary.test }]',
        `ports: { smtp: ${SMTP}, submission: ${SUBMISSION}, submissions: 2665 }`,
        'probe: { concurrency: 16, connectTimeoutMs: 1000, dialogTimeoutMs: 3000 }',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await Promise.all(listeners.map((l) => l.close()));
  });

  it('writes NDJSON scan files from both vantages and exits 0', async () => {
    for (const vantage of ['outside', 'inside']) {
      const run = await runCli(['scan', '--plan', 'plan.yaml', '--vantage', vantage], { cwd: dir });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.equal('');
      const lines = await readLines(join(dir, `scan-${vantage}.ndjson`));
      expect(lines[0]).to.include({ type: 'scan', schemaVersion: 1 });
      expect((lines[0]!.vantage as { kind: string }).kind).to.equal(vantage);
      expect(lines.at(-1)).to.have.property('type', 'end');
    }
    const outside = await readLines(join(dir, 'scan-outside.ndjson'));
    const inbound = outside.filter((l) => l.probe === 'inbound-smtp');
    // 127.40.1.0/28 is 16 addresses; the relay is exempt from the sample.
    expect(inbound).to.have.length(15);
    expect(inbound.filter((l) => l.outcome === 'open').map((l) => (l.target as { address: string }).address).sort()).to.deep.equal([
      '127.40.1.3',
      '127.40.1.9',
    ]);
  });

  it('refuses to overwrite an existing scan file', async () => {
    const before = await readFile(join(dir, 'scan-outside.ndjson'), 'utf8');
    const run = await runCli(['scan', '--plan', 'plan.yaml', '--vantage', 'outside'], { cwd: dir });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('--resume');
    expect(await readFile(join(dir, 'scan-outside.ndjson'), 'utf8')).to.equal(before);
  });

  it('merges both files into the report JSON with all six practices, and exits 1 on failures', async () => {
    const run = await runCli(['report', 'scan-outside.ndjson', 'scan-inside.ndjson', '--format', 'json'], { cwd: dir });
    expect(run.code, run.stderr).to.equal(1);
    const report = JSON.parse(run.stdout) as {
      status: string;
      practices: { id: string; status: string; checks: { id: string; status: string; evidence: Record<string, unknown> }[] }[];
      vantages: { kind: string }[];
    };
    expect(report.practices.map((p) => p.id)).to.deep.equal(['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
    expect(report.vantages.map((v) => v.kind).sort()).to.deep.equal(['inside', 'outside']);
    const practice = (id: string) => report.practices.find((p) => p.id === id)!;
    expect(practice('P6').status).to.equal('fail');
    const inbound = practice('P6').checks.find((c) => c.id === 'P6.inbound-25-blocked')!;
    expect(inbound.evidence.counts).to.deep.include({ open: 2, closed: 13 });
    expect(inbound.evidence.sampleSize).to.equal(15);
    expect(practice('P6').checks.find((c) => c.id === 'P6.authorized-exceptions')!.status).to.equal('pass');
    expect(practice('P5').checks.find((c) => c.id === 'P5.outbound-25-blocked')!.status).to.equal('fail');
    expect(practice('P5').checks.find((c) => c.id === 'P5.relay-reachable')!.status).to.equal('pass');
    const outbound587 = practice('P3').checks.find((c) => c.id === 'P3.outbound-587')!;
    expect(outbound587.status).to.equal('fail');
    expect(JSON.stringify(outbound587.evidence)).to.contain('proxy.isp.test');
    expect(report.status).to.equal('fail');
  });

  it('exits 0 with --fail-on never, and writes the report to --out', async () => {
    const run = await runCli(
      ['report', 'scan-outside.ndjson', 'scan-inside.ndjson', '--format', 'json', '--fail-on', 'never', '--out', 'report.json'],
      { cwd: dir },
    );
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal('');
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))).to.have.property('schemaVersion', 1);
  });

  it('refuses to merge scans of different plans, naming both files (exit 2)', async () => {
    const other = join(dir, 'other.yaml');
    await writeFile(other, (await readFile(join(dir, 'plan.yaml'), 'utf8')).replace('CLI loopback ISP', 'Another ISP'));
    const scan = await runCli(['scan', '--plan', 'other.yaml', '--vantage', 'inside', '--out', 'other-inside.ndjson'], { cwd: dir });
    expect(scan.code, scan.stderr).to.equal(0);
    const run = await runCli(['report', 'scan-outside.ndjson', 'other-inside.ndjson', '--format', 'json'], { cwd: dir });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('scan-outside.ndjson');
    expect(run.stderr).to.contain('other-inside.ndjson');
    expect(run.stdout).to.equal('');
  });
});

async function interruptWhenWritten(child: ChildProcess, file: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const lines = await readFile(file, 'utf8').then((t) => t.split('\n').length, () => 0);
    if (lines > 20) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGINT');
}

describe('cli: interrupted scans resume', function () {
  this.timeout(60_000);

  it('stops on SIGINT with exit 130, keeps every finished probe, and --resume completes it with each target once', async () => {
    const dir = await tempDir();
    // 1,024 closed loopback addresses at 400 new connections/s: about 2.5 s, interrupted once under way.
    await writeFile(
      join(dir, 'plan.yaml'),
      'version: 1\nscope: { dynamic: [127.40.8.0/22] }\nsample: { size: 5000, seed: 7 }\nports: { smtp: 2625 }\nprobe: { concurrency: 32, rate: 400, connectTimeoutMs: 1000 }\n',
    );
    const interrupted = await runCli(['scan', '--plan', 'plan.yaml', '--vantage', 'outside', '--quiet'], {
      cwd: dir,
      // Interrupt once the scan is under way (some observations written), as a user's Ctrl-C would.
      onSpawn: (child) => void interruptWhenWritten(child, join(dir, 'scan-outside.ndjson')),
    });
    expect(interrupted.code, interrupted.stderr).to.equal(130);
    expect(interrupted.stderr).to.contain('--resume scan-outside.ndjson');
    const partial = await readLines(join(dir, 'scan-outside.ndjson'));
    expect(partial.at(-1)!.type).to.equal('observation');
    expect(partial.length).to.be.greaterThan(1).and.lessThan(1025);

    const resumed = await runCli(['scan', '--plan', 'plan.yaml', '--vantage', 'outside', '--resume', 'scan-outside.ndjson', '--quiet'], {
      cwd: dir,
    });
    expect(resumed.code, resumed.stderr).to.equal(0);
    const lines = await readLines(join(dir, 'scan-outside.ndjson'));
    expect(lines.filter((l) => l.type === 'scan')).to.have.length(1);
    expect(lines.at(-1)!.type).to.equal('end');
    const addresses = lines.filter((l) => l.probe === 'inbound-smtp').map((l) => (l.target as { address: string }).address);
    expect(addresses).to.have.length(1024);
    expect(new Set(addresses).size).to.equal(1024);

    const again = await runCli(['scan', '--plan', 'plan.yaml', '--vantage', 'outside', '--resume', 'scan-outside.ndjson'], { cwd: dir });
    expect(again.code).to.equal(0);
    expect(again.stderr).to.contain('already');
  });
});
