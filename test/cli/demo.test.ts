import { expect } from 'chai';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';

describe('cli: demo (npm start)', function () {
  this.timeout(90_000);

  it('audits the loopback lab from both vantages, writes three reports, prints the table and stops its listeners', async () => {
    const dir = await tempDir();
    const run = await runCli(['demo', '--dir', 'out', '--quiet'], { cwd: dir });
    expect(run.code, run.stderr).to.equal(0);
    for (const name of ['report.html', 'report.xml', 'report.json', 'scan-outside.ndjson', 'scan-inside.ndjson', 'plan.json']) {
      expect((await stat(join(dir, 'out', name))).size, name).to.be.greaterThan(0);
    }
    const report = JSON.parse(await readFile(join(dir, 'out', 'report.json'), 'utf8')) as {
      practices: { id: string; status: string }[];
    };
    const status = Object.fromEntries(report.practices.map((p) => [p.id, p.status]));
    // The lab is an ISP that has not blocked port 25 yet: three infected customers answer from outside,
    // the MX canary answers from inside; outbound submission works.
    expect(status.P6).to.equal('fail');
    expect(status.P5).to.equal('fail');
    expect(status.P3).to.equal('pass');
    expect(run.stdout).to.match(/P6/);
    expect(run.stderr).to.contain(join('out', 'report.html'));
    // The process exited on its own (runCli would have killed it after its timeout): the lab was stopped.
    expect(run.signal).to.equal(null);
  });
});
