import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Port25Error, readScanFile, readScanHeader, ScanFileWriter, TOOL, type ScanHeader, type ScanLine, type TcpObservation } from '@port25-audit/core';
import { testPlan } from './plan-fixture.js';

const header: ScanHeader = {
  type: 'scan',
  schemaVersion: 1,
  tool: TOOL,
  plan: testPlan({ scope: { dynamic: ['127.20.5.0/24'] } }),
  planDigest: 'sha256:0123',
  vantage: { kind: 'outside', label: 'outside@test', host: 'test' },
  shard: { index: 0, count: 1 },
  startedAt: '2025-01-02T03:04:05.000Z',
};

function observation(i: number, outcome: TcpObservation['outcome'] = 'closed'): TcpObservation {
  return {
    type: 'observation',
    probe: 'inbound-smtp',
    target: { host: null, address: `127.20.5.${i}`, port: 25, family: 'IPv4' },
    vantage: 'outside',
    startedAt: '2025-01-02T03:04:06.000Z',
    ms: 0.4,
    outcome,
    ...(outcome === 'open' ? { banner: { text: '220 <b>hi</b>\u0007', code: 220, truncated: false, ms: 1 } } : { errorCode: 'ECONNREFUSED' }),
  };
}

async function readAll(path: string, warnings: string[] = []): Promise<ScanLine[]> {
  const lines: ScanLine[] = [];
  for await (const line of readScanFile(path, { onWarning: (message) => warnings.push(message) })) lines.push(line);
  return lines;
}

async function expectInvalid(path: string, where: string): Promise<Port25Error> {
  try {
    await readAll(path);
  } catch (error) {
    expect(error).to.be.instanceOf(Port25Error);
    expect((error as Port25Error).code).to.equal('SCAN_FILE_INVALID');
    expect((error as Port25Error).message).to.match(new RegExp(`^${where.replace(/[.]/g, '\\.')}: `));
    return error as Port25Error;
  }
  return expect.fail(`${path} should be refused at ${where}`);
}

describe('scan/file: scan files', function () {
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'p25e-file-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips header, observations and end line', async function () {
    const path = join(dir, 'scan.ndjson');
    const writer = ScanFileWriter.create(path, header);
    writer.write(observation(1));
    writer.write(observation(2, 'open'));
    writer.end({ type: 'end', finishedAt: '2025-01-02T03:05:00.000Z', counts: { closed: 1, open: 1 } });
    writer.close();
    const lines = await readAll(path);
    expect(lines).to.deep.equal([header, observation(1), observation(2, 'open'), { type: 'end', finishedAt: '2025-01-02T03:05:00.000Z', counts: { closed: 1, open: 1 } }]);
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).to.equal(true);
    expect(text.split('\n')).to.have.length(5);
    expect(await readScanHeader(path)).to.deep.equal(header);
  });

  it('has every queued line in the file by the end of the event-loop turn', async function () {
    const path = join(dir, 'scan.ndjson');
    const writer = ScanFileWriter.create(path, header);
    writer.write(observation(1));
    writer.write(observation(2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(readFileSync(path, 'utf8').trim().split('\n')).to.have.length(3);
    writer.close();
  });

  it('keeps single lines and batches of lines in the order they were queued', async function () {
    const path = join(dir, 'mixed.ndjson');
    const writer = ScanFileWriter.create(path, header);
    const batch = (...numbers: number[]): string => numbers.map((i) => `${JSON.stringify(observation(i))}\n`).join('');
    writer.write(observation(1));
    writer.writeLines(batch(2, 3));
    writer.write(observation(4));
    writer.writeLines(batch(5));
    writer.writeLines(batch(6, 7));
    await new Promise((resolve) => setImmediate(resolve));
    // By the end of the turn, before close: a killed scan keeps them.
    expect(readFileSync(path, 'utf8').trim().split('\n')).to.have.length(8);
    writer.close();
    const lines = await readAll(path);
    expect(lines.slice(1).map((line) => (line as TcpObservation).target.address)).to.deep.equal([1, 2, 3, 4, 5, 6, 7].map((i) => `127.20.5.${i}`));
  });

  it('refuses a batch that does not end a line', function () {
    const writer = ScanFileWriter.create(join(dir, 'cut.ndjson'), header);
    try {
      expect(() => writer.writeLines('{"type":"observation"')).to.throw(Port25Error, /must end with a newline/);
    } finally {
      writer.close();
    }
  });

  it('streams a large file', async function () {
    const path = join(dir, 'big.ndjson');
    const writer = ScanFileWriter.create(path, header);
    for (let i = 0; i < 20_000; i++) writer.write(observation(i % 256));
    writer.close();
    let observations = 0;
    for await (const line of readScanFile(path)) if (line.type === 'observation') observations++;
    expect(observations).to.equal(20_000);
  });

  it('drops a torn last line with a warning', async function () {
    const path = join(dir, 'torn.ndjson');
    const writer = ScanFileWriter.create(path, header);
    writer.write(observation(1));
    writer.close();
    appendFileSync(path, JSON.stringify(observation(2)).slice(0, 40));
    const warnings: string[] = [];
    const lines = await readAll(path, warnings);
    expect(lines).to.deep.equal([header, observation(1)]);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/torn\.ndjson:3: torn last line dropped/);
  });

  it('keeps a complete last line that lacks its newline', async function () {
    const path = join(dir, 'nonl.ndjson');
    writeFileSync(path, `${JSON.stringify(header)}\n${JSON.stringify(observation(1))}`);
    const warnings: string[] = [];
    expect(await readAll(path, warnings)).to.deep.equal([header, observation(1)]);
    expect(warnings).to.deep.equal([]);
  });

  it('refuses a damaged line before the last one, naming file:line', async function () {
    const path = join(dir, 'damaged.ndjson');
    writeFileSync(path, [JSON.stringify(header), JSON.stringify(observation(1)), '{"type":"observation"', JSON.stringify(observation(2)), ''].join('\n'));
    const error = await expectInvalid(path, `${path}:3`);
    expect(error.exitCode).to.equal(2);
  });

  it('refuses an observation that lacks its fields', async function () {
    const path = join(dir, 'fields.ndjson');
    const { target: _target, ...noTarget } = observation(1);
    writeFileSync(path, [JSON.stringify(header), JSON.stringify(noTarget), JSON.stringify(observation(2)), ''].join('\n'));
    const error = await expectInvalid(path, `${path}:2`);
    expect(error.message).to.include('target');
  });

  it('refuses a file whose first line is not a scan header of schemaVersion 1', async function () {
    const cases: Record<string, string> = {
      'report.json': JSON.stringify({ schemaVersion: 1, tool: TOOL, practices: [] }),
      'v2.ndjson': JSON.stringify({ ...header, schemaVersion: 2 }),
      'text.ndjson': 'hello',
      'empty.ndjson': '',
      'observation-first.ndjson': JSON.stringify(observation(1)),
    };
    for (const [name, first] of Object.entries(cases)) {
      const path = join(dir, name);
      writeFileSync(path, `${first}\n${JSON.stringify(observation(1))}\n`);
      if (first === '') writeFileSync(path, '');
      await expectInvalid(path, `${path}:1`);
      await readScanHeader(path).then(
        () => expect.fail(`${name} has no header`),
        (error: Port25Error) => expect(error.code).to.equal('SCAN_FILE_INVALID'),
      );
    }
  });

  it('refuses lines after the end line', async function () {
    const path = join(dir, 'after-end.ndjson');
    const end = { type: 'end', finishedAt: 'x', counts: {} };
    writeFileSync(path, [header, end, observation(1), observation(2)].map((line) => JSON.stringify(line)).join('\n') + '\n');
    await expectInvalid(path, `${path}:3`);
  });

  it('refuses a second header', async function () {
    const path = join(dir, 'two-headers.ndjson');
    writeFileSync(path, [header, header, observation(1)].map((line) => JSON.stringify(line)).join('\n') + '\n');
    await expectInvalid(path, `${path}:2`);
  });

  it('reports a missing file as an IO error', async function () {
    await readAll(join(dir, 'missing.ndjson')).then(
      () => expect.fail('no file'),
      (error: Port25Error) => expect(error.code).to.equal('IO'),
    );
  });

  it('reads lines that span read chunks, with multi-byte text', async function () {
    const path = join(dir, 'wide.ndjson');
    const wide = { ...observation(1, 'open'), banner: { text: `220 ${'ü€'.repeat(150_000)}`, code: 220, truncated: true, ms: 1 } };
    writeFileSync(path, [header, wide, observation(2)].map((line) => JSON.stringify(line)).join('\n') + '\n');
    expect(await readAll(path)).to.deep.equal([header, wide, observation(2)]);
  });
});
