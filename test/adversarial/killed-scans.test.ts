/**
 * Issue 8, part 3 of the issue (killed scans): the real CLI killed with SIGINT,
 * SIGTERM and SIGKILL at seeded random moments, and a scan that fills its
 * disk (a 64 KiB tmpfs, mounted by the test as root). Whatever happens, the
 * scan file is valid NDJSON up to its last complete line, what it holds is
 * kept verbatim by `--resume`, and the resumed file has every target exactly
 * once and ends with its end line.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGreeter, type Greeter } from '@port25-audit/fixtures/lab';
import { runCli, type CliRun } from '../helpers/cli.js';

/** 127.110.8.0/23: 512 addresses, three of them greet, the rest are closed. */
const RANGE = '127.110.8.0/23';
const RANGE_SIZE = 512;
const GREETERS = ['127.110.8.25', '127.110.9.1', '127.110.9.200'];
const SEEDS = (process.env['PORT25_KILL_SEEDS'] ?? '11,23,37').split(',').map(Number);
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;
type KillSignal = (typeof SIGNALS)[number];

/** mulberry32: a small seeded generator, so a failing seed can be run again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FileState {
  /** The file's bytes up to and including its last newline: what a resume must keep verbatim. */
  complete: string;
  /** Bytes after the last newline: a line torn by a kill. */
  torn: string;
  hasHeader: boolean;
  ended: boolean;
  /** `address` of every observation, in file order. */
  addresses: string[];
}

/**
 * Reads a scan file and checks that it is valid NDJSON up to its last
 * complete line: a header first, then observations, an end line only last.
 */
async function inspect(path: string): Promise<FileState | null> {
  if (!existsSync(path)) return null;
  const text = await readFile(path, 'utf8');
  const cut = text.lastIndexOf('\n') + 1;
  const complete = text.slice(0, cut);
  const lines = complete === '' ? [] : complete.slice(0, -1).split('\n');
  const state: FileState = { complete, torn: text.slice(cut), hasHeader: false, ended: false, addresses: [] };
  lines.forEach((raw, index) => {
    const line = JSON.parse(raw) as { type: string; target?: { address: string } };
    expect(state.ended, `${path}:${index + 1} follows the end line`).to.equal(false);
    if (index === 0) {
      expect(line.type, `${path}:1`).to.equal('scan');
      state.hasHeader = true;
    } else if (line.type === 'end') {
      state.ended = true;
    } else {
      expect(line.type, `${path}:${index + 1}`).to.equal('observation');
      state.addresses.push(line.target!.address);
    }
  });
  return state;
}

function scanArgs(file: string, resume: boolean): string[] {
  return ['scan', '--plan', 'plan.yaml', '--vantage', 'outside', '--quiet', ...(resume ? ['--resume', file] : ['--out', file, '--force'])];
}

/** Runs the scan (or its resume) and sends `signal` after `delayMs`. */
function killedRun(dir: string, file: string, resume: boolean, signal: KillSignal, delayMs: number): Promise<CliRun> {
  return runCli(scanArgs(file, resume), {
    cwd: dir,
    onSpawn: (child) => {
      const timer = setTimeout(() => child.kill(signal), delayMs);
      child.once('exit', () => clearTimeout(timer));
    },
  });
}

function expectAllOnce(state: FileState): void {
  expect(state.ended, 'the file ends with its end line').to.equal(true);
  expect(state.torn).to.equal('');
  expect(state.addresses).to.have.length(RANGE_SIZE);
  expect(new Set(state.addresses).size, 'each target exactly once').to.equal(RANGE_SIZE);
}

describe('adversarial: killed scans resume to a complete file', function () {
  this.timeout(120_000);
  let dir: string;
  let greeters: Greeter[] = [];
  let planText: string;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'p25x-killed-'));
    const first = await startGreeter(GREETERS[0]!, 0, 'killed-scan greeter ESMTP');
    greeters = [first];
    for (const address of GREETERS.slice(1)) greeters.push(await startGreeter(address, first.port, 'killed-scan greeter ESMTP'));
    // 512 hosts at 300 new connections/s: a scan of about 1.7 s, long enough to be killed in the middle.
    planText = [
      'version: 1',
      'name: p25x killed scans',
      `scope: { dynamic: [${RANGE}] }`,
      'sample: { size: 100000, seed: 5 }',
      `ports: { smtp: ${first.port} }`,
      'probe: { concurrency: 32, rate: 300, connectTimeoutMs: 1000, dialogTimeoutMs: 2000 }',
      '',
    ].join('\n');
  });
  after(async function () {
    await Promise.all(greeters.map((greeter) => greeter.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it(`survives SIGINT, SIGTERM and SIGKILL at random moments (seeds ${SEEDS.join(', ')}; PORT25_KILL_SEEDS for more), then --resume completes the file`, async function () {
    // One chain per seed, in parallel: each kills two runs in a row at random moments, with two of the three
    // signals (rotating with the seed's place, so that three seeds send each signal twice), then resumes to the end.
    await Promise.all(
      SEEDS.map(async (seed, place) => {
        const next = random(seed);
        const chainDir = join(dir, `seed-${seed}`);
        await mkdir(chainDir);
        await writeFile(join(chainDir, 'plan.yaml'), planText);
        const file = 'scan.ndjson';
        const path = join(chainDir, file);
        const order = [SIGNALS[place % 3]!, SIGNALS[(place + 1) % 3]!];
        let kept = '';
        for (const signal of order) {
          const state = await inspect(path);
          const resume = state !== null && state.hasHeader;
          // From 0.25 s (the process is starting) to 3.8 s (the scan may have ended): before, during and after the probing.
          const delayMs = Math.round(250 + next() * 3550);
          const run = await killedRun(chainDir, file, resume, signal, delayMs);
          const where = `seed ${seed}, ${signal} after ${delayMs} ms${resume ? ' (resuming)' : ''}`;
          const after = await inspect(path);
          if (signal === 'SIGKILL') {
            expect(run.signal === 'SIGKILL' || run.code === 0, `${where}: ${run.code} ${run.signal} ${run.stderr}`).to.equal(true);
          } else if (run.signal === signal) {
            // Node had not run the binary's first line yet (it installs the handlers): nothing was written.
            expect(after, `${where}: killed before the handlers were installed`).to.equal(null);
          } else {
            // Handled: exit 130 with the file flushed and no torn line, or 0 when the scan ended first.
            expect([0, 130], `${where}: ${run.stderr}`).to.include(run.code);
            // A signal during start-up stops the CLI before it touches the file; once it wrote, it says how to go on.
            const wrote = after !== null && (state === null || after.complete !== state.complete);
            if (run.code === 130 && wrote) expect(run.stderr, where).to.contain(`--resume ${file}`);
            if (after !== null) expect(after.torn, `${where}: a handled signal leaves no torn line`).to.equal('');
          }
          expect(run.stderr, where).to.not.match(/^\s+at .+:\d+:\d+\)?$/m);
          if (after === null) continue;
          if (run.code === 0) expectAllOnce(after);
          // Resume keeps every complete line verbatim: what was there before is a prefix of what is there now.
          if (resume) expect(after.complete.startsWith(kept), `${where}: lines kept verbatim`).to.equal(true);
          expect(new Set(after.addresses).size, `${where}: no target twice`).to.equal(after.addresses.length);
          kept = after.complete;
        }
        const state = await inspect(path);
        const finish = await runCli(scanArgs(file, state !== null && state.hasHeader), { cwd: chainDir });
        expect(finish.code, `seed ${seed}: ${finish.stderr}`).to.equal(0);
        const final = (await inspect(path))!;
        expect(final.complete.startsWith(kept), `seed ${seed}: lines kept verbatim by the last resume`).to.equal(true);
        expectAllOnce(final);
      }),
    );
  });

  describe('a full disk', function () {
    const mountPoint = (): string => join(dir, 'full-disk');
    let mounted = false;

    before(function () {
      if (process.getuid?.() !== 0) this.skip();
      execFileSync('mkdir', ['-p', mountPoint()]);
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'p25x-full-disk', mountPoint()], { stdio: 'pipe' });
        mounted = true;
      } catch {
        // A container without CAP_SYS_ADMIN cannot mount: nothing to test here.
        this.skip();
      }
    });
    after(function () {
      if (mounted) execFileSync('umount', ['-l', mountPoint()]);
    });

    for (const [name, range, size] of [
      ['a small scan (probed in the main thread)', RANGE, RANGE_SIZE],
      ['a large scan (probed by worker threads)', '127.110.16.0/20', 4096],
    ] as const) {
      it(`${name}: exits 3 naming the file and ENOSPC, keeps a valid file, and resumes once there is space`, async function () {
        // The previous case's file would not fit: the disk starts empty, 64 KiB in all.
        await rm(join(mountPoint(), 'scan.ndjson'), { force: true });
        execFileSync('mount', ['-o', 'remount,size=64k', mountPoint()]);
        const file = join(mountPoint(), 'scan.ndjson');
        await writeFile(join(dir, `disk-${size}.yaml`), planText.replace(RANGE, range).replace('rate: 300', 'rate: 0').replace('concurrency: 32', 'concurrency: 256'));
        const run = await runCli(['scan', '--plan', `disk-${size}.yaml`, '--vantage', 'outside', '--quiet', '--out', file], { cwd: dir });
        expect(run.code, run.stderr).to.equal(3);
        expect(run.stderr).to.contain(file).and.to.contain('ENOSPC');
        expect(run.stderr, 'no stack trace').to.not.match(/^\s+at /m);
        expect(run.stdout).to.equal('');
        const full = (await inspect(file))!;
        expect(full.hasHeader).to.equal(true);
        expect(full.ended).to.equal(false);
        expect(full.addresses.length).to.be.above(0).and.below(size);

        execFileSync('mount', ['-o', 'remount,size=8m', mountPoint()]);
        const resumed = await runCli(['scan', '--plan', `disk-${size}.yaml`, '--vantage', 'outside', '--quiet', '--resume', file], { cwd: dir });
        expect(resumed.code, resumed.stderr).to.equal(0);
        const final = (await inspect(file))!;
        expect(final.complete.startsWith(full.complete)).to.equal(true);
        expect(final.ended).to.equal(true);
        expect(final.addresses).to.have.length(size);
        expect(new Set(final.addresses).size).to.equal(size);
      });
    }
  });
});
