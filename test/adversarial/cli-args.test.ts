/**
 * Issue 8, part 2: bad command lines. Random argument vectors through the
 * in-process CLI (`main(argv, io)`): every bad one exits 2 with a clear first
 * line on stderr, never 3, never a stack trace, never output on stdout, never a
 * file written.
 *
 * No case can start a scan: scan and audit always get a plan that fails to load
 * (missing or invalid), report gets a scan file that is not one, and init and
 * demo always get an unknown flag, which yargs refuses before any command runs.
 * The example cases with a valid plan name only 127.80.9.0/30 (this suite's
 * loopback block) and fail on their --shard before scanning.
 *
 * Runs are seeded and bounded: PORT25_FUZZ_SEED=<n> picks another seed and
 * PORT25_FUZZ_RUNS=<factor> multiplies the runs, for a longer search by hand.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from 'port25-audit';

const SEED = process.env['PORT25_FUZZ_SEED'] === undefined ? 0x25_08_02 : Number(process.env['PORT25_FUZZ_SEED']);
/** PORT25_FUZZ_RUNS multiplies the runs, to search longer than CI does. */
const RUNS_FACTOR = Number(process.env['PORT25_FUZZ_RUNS'] ?? 1);
/** A stack frame as V8 prints it: what a user must never see. */
const STACK_FRAME = /^\s+at .+(?::\d+:\d+\)?|\(native\))$/m;
const USAGE_HINT = "Run 'port25-audit --help' for usage.";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function cli(argv: string[]): Promise<Run> {
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, env: {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Exit 2, one clear first line, then only detail lines or the usage hint; nothing on stdout; no stack. */
function expectUsageError(run: Run, argv: readonly string[]): void {
  const context = `${JSON.stringify(argv)}\n${run.stderr}`;
  expect(run.code, context).to.equal(2);
  expect(run.stdout, context).to.equal('');
  const lines = run.stderr.replace(/\n$/, '').split('\n');
  expect(lines[0], context).to.match(/^port25-audit: \S/);
  for (const line of lines.slice(1)) expect(line === USAGE_HINT || line.startsWith('  '), context).to.equal(true);
  expect(lines.length, context).to.be.at.most(110);
  expect(run.stderr, context).to.not.match(STACK_FRAME);
  expect(run.stderr, context).to.not.contain('unexpected error');
}

describe('adversarial: command-line arguments (property-based)', function () {
  this.timeout(60_000);
  let directory: string;
  let missingPlan: string;
  let invalidPlan: string;
  let loopbackPlan: string;
  let notAScan: string;
  let outputs: string;
  const environment: Record<string, string | undefined> = {};

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'port25-adversarial-args-'));
    missingPlan = join(directory, 'missing.yaml');
    invalidPlan = join(directory, 'invalid.yaml');
    loopbackPlan = join(directory, 'loopback.yaml');
    notAScan = join(directory, 'not-a-scan.ndjson');
    outputs = join(directory, 'out');
    await writeFile(invalidPlan, 'version: 1\nscope:\n  dynamic: [127.80.9.0/33]\n');
    await writeFile(loopbackPlan, 'version: 1\nscope:\n  dynamic: [127.80.9.0/30]\n');
    await writeFile(notAScan, 'this is not a scan file\n');
    await mkdir(outputs);
    // yargs reads PORT25_AUDIT_* from the process environment: none may leak in from the shell running the tests.
    for (const name of Object.keys(process.env).filter((key) => key.startsWith('PORT25_AUDIT_'))) {
      environment[name] = process.env[name];
      delete process.env[name];
    }
  });

  after(async () => {
    Object.assign(process.env, environment);
    await rm(directory, { recursive: true, force: true });
  });

  /** Nothing may be written by a refused command line. */
  async function expectNothingWritten(): Promise<void> {
    expect(await readdir(outputs)).to.deep.equal([]);
  }

  describe('random argument vectors', () => {
    it('exit 2 with one clear line, never 3, never a stack, never a file', async () => {
      const out = (name: string) => join(outputs, name);
      const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
      const badShard = fc.oneof(
        fc.constantFrom('3/2', '4/4', 'a/b', '0/0', '1.5/3', '1/', '/4', '0/4/8', '１/４', ' ', 'K/N', '9999999999999999/1'),
        fc.tuple(fc.nat(100), fc.nat(100)).filter(([k, n]) => k >= n).map(([k, n]) => `${k}/${n}`),
      );
      const anyText = fc.string({ unit: 'binary', maxLength: 12 });
      /** Pieces of command lines: good flags, bad values, missing values, unknown flags, junk. */
      const segment: fc.Arbitrary<string[]> = fc.oneof(
        fc.constantFrom<string[]>(['--force'], ['--no-force'], ['--quiet'], ['-q'], ['--label', 'lab'], ['--shard', '0/2'], ['--lang', 'de'], ['--format', 'json'], ['--fail-on', 'warn'], ['--require-tested']),
        badShard.map((value) => ['--shard', value]),
        badShard.map((value) => [`--shard=${value}`]),
        fc.oneof(word, anyText).map((value) => ['--vantage', value]),
        fc.oneof(word, anyText).map((value) => ['--format', value]),
        fc.oneof(word, anyText).map((value) => ['--fail-on', value]),
        fc.oneof(word, anyText).map((value) => ['--lang', value]),
        fc.constantFrom<string[]>(['--shard'], ['--label'], ['--plan'], ['--vantage'], ['--out'], ['--format'], ['--fail-on'], ['--resume'], ['--scan-out']),
        word.map((name) => [`--zz-${name}`]),
        word.map((name) => [`--zz-${name}=1`]),
        fc.constantFrom<string[]>(['-Z'], ['-xyz'], ['---x'], ['--='], ['-'], ['--no-zz'], ['--plan.x', '1'], ['--__proto__', 'x'], ['--constructor.prototype.polluted', '1']),
        fc.constantFrom<string[]>(['--plan', missingPlan], ['--plan', invalidPlan], ['--plan', directory], ['--plan', '']),
        fc.constantFrom<string[]>(['--out', out('a.ndjson')], ['--scan-out', out('b.ndjson')], ['--resume', out('c.ndjson')], ['--out', out('d.json')]),
        anyText.filter((text) => !/^-/.test(text) && !['scan', 'audit', 'report', 'init', 'demo'].includes(text)).map((text) => [text]),
      );
      const segments = fc.array(segment, { maxLength: 6 });
      const badPlan = fc.constantFrom(missingPlan, invalidPlan, directory);

      const vector: fc.Arbitrary<string[]> = fc.oneof(
        // scan and audit: the plan never loads, so no scan can start whatever else is right.
        fc.tuple(fc.constantFrom('scan', 'audit'), badPlan, fc.constantFrom('inside', 'outside'), segments).map(([command, plan, vantage, rest]) => [
          command,
          '--plan',
          plan,
          '--vantage',
          vantage,
          ...(command === 'scan' ? ['--out', out('scan.ndjson')] : ['--scan-out', out('scan.ndjson'), '--out', out('report.txt')]),
          ...rest.flat(),
        ]),
        // scan and audit with the required options themselves missing or wrong.
        fc.tuple(fc.constantFrom('scan', 'audit'), segments).map(([command, rest]) => [command, '--plan', missingPlan, ...rest.flat()]),
        // report: the scan file is not a scan.
        fc.tuple(segments).map(([rest]) => ['report', notAScan, '--out', out('report.txt'), ...rest.flat()]),
        // init and demo: an unknown flag is refused before the command runs (they would write files). It comes
        // first, with the output folder: after a "--" yargs reads nothing as an option, not even an unknown one.
        fc.tuple(fc.constantFrom('init', 'demo'), word, segments).map(([command, name, rest]) => [
          command,
          `--zz-${name}`,
          ...(command === 'init' ? ['--out', out('plan.yaml')] : ['--dir', out('demo')]),
          ...rest.flat(),
        ]),
        // No command, or an unknown one.
        segments.map((rest) => rest.flat()),
        fc.tuple(word, segments).map(([name, rest]) => [`zz-${name}`, ...rest.flat()]),
      );

      await fc.assert(
        fc.asyncProperty(vector, async (argv) => {
          expectUsageError(await cli(argv), argv);
          await expectNothingWritten();
        }),
        { seed: SEED, numRuns: Math.ceil(300 * RUNS_FACTOR) },
      );
    });
  });

  describe('the cases by name', () => {
    it('a bad --shard with a valid plan is refused before scanning, naming --shard and the value', async () => {
      for (const shard of ['3/2', 'a/b', '0/0', '4/4', '1.5/3', '-1/4', '1/-4', '0x1/2']) {
        const argv = ['scan', '--plan', loopbackPlan, '--vantage', 'outside', '--out', join(outputs, 'scan.ndjson'), `--shard=${shard}`];
        const run = await cli(argv);
        expectUsageError(run, argv);
        expect(run.stderr.split('\n')[0]).to.equal(`port25-audit: --shard ${JSON.stringify(shard)} is not a shard K/N with 0 ≤ K < N`);
        expect(run.stderr).to.contain('0-based');
      }
      // "--shard -1/4" (two words) reads as the short flags -1, -/ and -4 to any parser: still exit 2.
      const argv = ['scan', '--plan', loopbackPlan, '--vantage', 'outside', '--out', join(outputs, 'scan.ndjson'), '--shard', '-1/4'];
      expectUsageError(await cli(argv), argv);
      await expectNothingWritten();
    });

    it('a bad --vantage, --format, --fail-on or --lang names the option, the value and the choices', async () => {
      const cases: [string[], string, string][] = [
        [['scan', '--plan', missingPlan, '--vantage', 'sideways'], 'vantage', 'sideways'],
        [['audit', '--plan', missingPlan, '--vantage', 'inside', '--format', 'pdf'], 'format', 'pdf'],
        [['report', notAScan, '--format', 'xml'], 'format', 'xml'],
        [['report', notAScan, '--fail-on', 'sometimes'], 'fail-on', 'sometimes'],
        [['audit', '--plan', missingPlan, '--vantage', 'outside', '--fail-on', 'error'], 'fail-on', 'error'],
        [['report', notAScan, '--lang', 'fr'], 'lang', 'fr'],
      ];
      for (const [argv, option, value] of cases) {
        const run = await cli(argv);
        expectUsageError(run, argv);
        expect(run.stderr, run.stderr).to.contain(option).and.contain(value);
      }
      await expectNothingWritten();
    });

    it('an unknown flag, a missing required option or a flag without its value is a usage error', async () => {
      const cases: [string[], RegExp][] = [
        [['scan', '--plan', missingPlan, '--vantage', 'inside', '--frobnicate'], /Unknown argument: frobnicate/],
        [['scan', '--plan', missingPlan], /Missing required argument: vantage/],
        [['scan', '--vantage', 'inside'], /Missing required argument: plan/],
        [['scan', '--plan'], /Not enough arguments following: plan/],
        [['scan', '--plan', missingPlan, '--vantage'], /vantage/],
        [['report'], /Not enough non-option arguments/],
        [['frobnicate'], /Unknown argument: frobnicate/],
        [[], /Name a command/],
      ];
      for (const [argv, message] of cases) {
        const run = await cli(argv);
        expectUsageError(run, argv);
        expect(run.stderr).to.match(message);
      }
      await expectNothingWritten();
    });

    it('a plan that does not load names the file and the field', async () => {
      const invalid = await cli(['scan', '--plan', invalidPlan, '--vantage', 'outside', '--out', join(outputs, 'scan.ndjson')]);
      expectUsageError(invalid, ['scan', '--plan', invalidPlan]);
      expect(invalid.stderr).to.equal(
        `port25-audit: ${invalidPlan}: the plan is not valid (1 problem)\n  ${invalidPlan}: scope.dynamic[0]: "127.80.9.0/33" is not a CIDR range\n`,
      );
      const missing = await cli(['audit', '--plan', missingPlan, '--vantage', 'inside']);
      expectUsageError(missing, ['audit', '--plan', missingPlan]);
      expect(missing.stderr).to.equal(`port25-audit: ${missingPlan}: no such file (port25-audit init --out FILE writes an annotated plan)\n`);
      await expectNothingWritten();
    });
  });
});
