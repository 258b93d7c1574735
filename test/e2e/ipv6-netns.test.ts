/**
 * IPv6 end to end, as root: two network namespaces joined by one veth pair and
 * nothing else. "inside" is a customer line of the ISP under audit, "internet"
 * holds the canaries (DNS zone, MX on 25, submission on 587, on 198.51.100.2 and
 * 2001:db8:25e::2) and a few IPv6 customer hosts for P6. The inside namespace
 * drops outbound IPv4 TCP to port 25 and lets IPv6 through: the classic
 * dual-stack leak. The real CLI binary scans from inside the namespace; the
 * reports are made in the host's namespace (they send nothing).
 */
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadPlan,
  parseRange,
  rangeContains,
  reportFromScanFiles,
  sampleTargets,
  type CheckResult,
  type Report,
  type TcpObservation,
} from '@port25-audit/core';
import { runCli, tempDir } from '../helpers/cli.js';
import { createNamespacePair, netnsUnavailable, VETH, type NamespacePair, type NodeRun } from '../helpers/netns.js';
import type { InternetServices } from '../core/ipv6/netns-internet.js';

const script = (name: string): string => fileURLToPath(new URL(`../core/ipv6/${name}`, import.meta.url));

/** The canaries' addresses: the internet end of the veth pair (see createNamespacePair). */
const CANARY = { ipv4: '198.51.100.2', ipv6: '2001:db8:25e::2' };
/** IPv6 customer space behind the internet namespace: a /120 to census, a hit-list block and a /56 to sample. */
const CUSTOMERS = { range: '2001:db8:25f::/120', hitBlock: '2001:db8:260::/120', wide: '2001:db8:100::/56' };
const LISTENING = ['2001:db8:25f::10', '2001:db8:25f::20', '2001:db8:260::25'];

/** Outbound IPv4 TCP to 25 is dropped on the customer line; IPv6 is not filtered at all (`ip` tables see IPv4 only). */
const DROP_IPV4_SMTP = 'table ip p25v_block {\n  chain output {\n    type filter hook output priority 0; policy accept;\n    tcp dport 25 drop\n  }\n}\n';

describe('e2e: IPv6 everywhere through network namespaces (root only)', function () {
  this.timeout(120_000);
  let pair: NamespacePair | undefined;
  let dir: string;
  let dnsServer: string;

  /** The CLI inside the inside namespace, through a script that proves where it runs first. */
  const scanInside = (args: string[]): Promise<NodeRun> => pair!.runNode(pair!.client, script('netns-cli.ts'), ['scan', ...args], { timeoutMs: 60_000 });

  async function writePlan(name: string, document: Record<string, unknown>): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, JSON.stringify({ version: 1, name: 'IPv6 netns lab', probe: { connectTimeoutMs: 1000, dialogTimeoutMs: 2000 }, ...document }));
    return file;
  }

  /** The report of scan files, built in-process: making it sends nothing, so it needs no namespace. */
  const report = (files: string[]): Promise<Report> => reportFromScanFiles(files, new Date());

  async function observations(file: string, probe: TcpObservation['probe']): Promise<TcpObservation[]> {
    return (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as TcpObservation)
      .filter((line) => line.type === 'observation' && line.probe === probe);
  }

  const checks = (built: Report, id: string): CheckResult[] => built.practices.flatMap((practice) => practice.checks).filter((check) => check.id === id);
  const summary = (list: CheckResult[]) => list.map((check) => [check.target, check.family, check.status]);

  before(async function () {
    const reason = netnsUnavailable();
    if (reason !== null) {
      process.stderr.write(`      skipped: ${reason}\n`);
      this.skip();
    }
    dir = await tempDir();
    pair = await createNamespacePair('p25v-');
    const { client: inside, server: internet } = pair;
    // The customer hosts that listen get addresses of their own; the rest of each block is local too, so it answers RST at once.
    for (const address of LISTENING) pair.exec(internet, ['ip', '-6', 'addr', 'add', `${address}/128`, 'dev', 'lo', 'nodad']);
    for (const block of Object.values(CUSTOMERS)) {
      pair.exec(internet, ['ip', '-6', 'route', 'add', 'local', block, 'dev', 'lo']);
      pair.exec(inside, ['ip', '-6', 'route', 'add', block, 'via', CANARY.ipv6, 'dev', VETH]);
    }
    pair.firewall(inside, DROP_IPV4_SMTP);

    const services: InternetServices = {
      dnsHost: CANARY.ipv4,
      zone: {
        'mx.canary.example': { A: [CANARY.ipv4], AAAA: [CANARY.ipv6] },
        'smtp.canary.example': { A: [CANARY.ipv4], AAAA: [CANARY.ipv6] },
      },
      greeters: [
        ...[CANARY.ipv4, CANARY.ipv6].flatMap((address) => [
          { address, port: 25, greeting: 'mx.canary.example ESMTP' },
          { address, port: 587, greeting: 'smtp.canary.example ESMTP' },
        ]),
        ...LISTENING.map((address) => ({ address, port: 25, greeting: `customer-${address.split(':').at(-1)}.example ESMTP` })),
      ],
    };
    const internetServices = pair.startNode(internet, script('netns-internet.ts'), [JSON.stringify(services)]);
    const line = await internetServices.waitForLine((text) => text.startsWith('listening '));
    dnsServer = (JSON.parse(line.slice('listening '.length)) as { dns: string }).dns;
  });

  after(async function () {
    await pair?.teardown();
  });

  const canaries = () => ({
    external: { mx: ['mx.canary.example'], submission: ['smtp.canary.example'] },
    dns: { servers: [dnsServer] },
  });

  it('inside, dual-stack: P5 passes for IPv4 (port 25 dropped) and FAILS for IPv6 (the leak); P3 passes for both', async function () {
    const plan = await writePlan('inside.json', canaries());
    const out = join(dir, 'inside.ndjson');
    const run = await scanInside(['--plan', plan, '--vantage', 'inside', '--out', out]);
    expect(run.code, run.stderr + run.stdout).to.equal(0);

    const built = await report([out]);
    expect(summary(checks(built, 'P5.outbound-25-blocked'))).to.deep.equal([
      [`mx.canary.example:25 (${CANARY.ipv4})`, 'IPv4', 'pass'],
      [`mx.canary.example:25 (${CANARY.ipv6})`, 'IPv6', 'fail'],
    ]);
    const [v4, v6] = checks(built, 'P5.outbound-25-blocked');
    expect(v4!.evidence).to.include({ outcome: 'filtered', errorCode: 'ETIMEDOUT' });
    expect(v6!.evidence).to.include({ outcome: 'open', greeting: '220 mx.canary.example ESMTP' });
    expect(v6!.summary).to.equal('port 25 opens and the canary greets: outbound SMTP is not blocked');
    expect(summary(checks(built, 'P3.outbound-587'))).to.deep.equal([
      [`smtp.canary.example:587 (${CANARY.ipv4})`, 'IPv4', 'pass'],
      [`smtp.canary.example:587 (${CANARY.ipv6})`, 'IPv6', 'pass'],
    ]);
    expect(built.practices.find((practice) => practice.id === 'P5')!.status).to.equal('fail');

    // A report gate in CI sees the IPv6 leak as a failure.
    const gate = await runCli(['report', out, '--format', 'json']);
    expect(gate.code).to.equal(1);
  });

  it('P6: a census of an IPv6 /120 plus a hit list in scope.hosts finds exactly the hosts listening on 25', async function () {
    const hitList = ['2001:db8:260::25', '2001:db8:260::26'];
    const plan = await writePlan('census.json', { scope: { dynamic: [CUSTOMERS.range], hosts: hitList }, sample: { size: 1024, seed: 3 } });
    const out = join(dir, 'census.ndjson');
    const run = await scanInside(['--plan', plan, '--vantage', 'outside', '--out', out]);
    expect(run.code, run.stderr + run.stdout).to.equal(0);

    const probed = await observations(out, 'inbound-smtp');
    expect(probed).to.have.length(256 + 2);
    expect(new Set(probed.map((observation) => observation.target.address)).size).to.equal(258);
    expect(probed.every((observation) => observation.target.family === 'IPv6')).to.equal(true);

    const [inbound] = checks(await report([out]), 'P6.inbound-25-blocked');
    expect(inbound).to.include({ status: 'fail', family: 'IPv6', target: `${CUSTOMERS.range}, ${hitList.join(', ')}` });
    expect(inbound!.evidence['counts']).to.deep.equal({ open: 3, closed: 255, filtered: 0, unreachable: 0, error: 0 });
    expect(inbound!.evidence).to.include({ sampleSize: 258, census: true, openTotal: 3 });
    const open = (inbound!.evidence['openHosts'] as { address: string; family: string; greeting: string }[]).map((host) => [host.address, host.family, host.greeting]);
    expect(open.sort()).to.deep.equal(LISTENING.map((address) => [address, 'IPv6', `220 customer-${address.split(':').at(-1)}.example ESMTP`]).sort());
  });

  it('P6: a seeded sample of an IPv6 /56 in two shards draws distinct addresses inside it, the ones the plan promises', async function () {
    const plan = await writePlan('wide.json', { scope: { dynamic: [CUSTOMERS.wide] }, sample: { size: 64, seed: 7 } });
    const shards = [join(dir, 'wide-0.ndjson'), join(dir, 'wide-1.ndjson')];
    const runs = await Promise.all(shards.map((out, index) => scanInside(['--plan', plan, '--vantage', 'outside', '--shard', `${index}/2`, '--out', out])));
    for (const run of runs) expect(run.code, run.stderr + run.stdout).to.equal(0);

    const parts = await Promise.all(shards.map((file) => observations(file, 'inbound-smtp')));
    const addresses = parts.flat().map((observation) => observation.target.address);
    expect(parts.map((part) => part.length)).to.deep.equal([32, 32]);
    expect(new Set(addresses).size).to.equal(64);
    const wide = parseRange(CUSTOMERS.wide)!;
    expect(addresses.filter((address) => !rangeContains(wide, address))).to.deep.equal([]);
    expect(parts.flat().every((observation) => observation.outcome === 'closed')).to.equal(true);
    const promised = [...sampleTargets((await loadPlan(plan)).plan)].map((target) => target.address);
    expect([...addresses].sort()).to.deep.equal(promised.sort());

    const [inbound] = checks(await report(shards), 'P6.inbound-25-blocked');
    expect(inbound).to.include({ status: 'pass', family: 'IPv6' });
    expect(inbound!.evidence).to.include({ sampleSize: 64, census: false });
    expect(inbound!.evidence['ipv6Note']).to.match(/IPv6 hosts are too sparse .* scope\.hosts as a hit list$/);
  });

  it('inside without IPv6: the IPv6 addresses of the canaries are "not tested", never passed from ENETUNREACH', async function () {
    const { client: inside } = pair!;
    for (const block of Object.values(CUSTOMERS)) pair!.exec(inside, ['ip', '-6', 'route', 'del', block]);
    pair!.exec(inside, ['ip', '-6', 'addr', 'del', `${pair!.addresses.client.ipv6}/64`, 'dev', VETH]);
    expect(() => pair!.exec(inside, ['ip', '-6', 'route', 'get', CANARY.ipv6])).to.throw();

    const plan = await writePlan('inside-v4only.json', canaries());
    const out = join(dir, 'inside-v4only.ndjson');
    const run = await scanInside(['--plan', plan, '--vantage', 'inside', '--out', out]);
    expect(run.code, run.stderr + run.stdout).to.equal(0);

    const unrouted = (await observations(out, 'outbound-smtp')).find((observation) => observation.target.family === 'IPv6');
    expect(unrouted).to.include({ outcome: 'error', errorCode: 'ENETUNREACH', route: 'none' });

    const built = await report([out]);
    const noRoute = 'not tested: this vantage has no IPv6 route';
    expect(checks(built, 'P5.outbound-25-blocked').map((check) => [check.family, check.status, check.summary])).to.deep.equal([
      ['IPv4', 'pass', 'port 25 is filtered: outbound SMTP is blocked'],
      ['IPv6', 'skip', noRoute],
    ]);
    expect(checks(built, 'P3.outbound-587').map((check) => [check.family, check.status, check.summary])).to.deep.equal([
      ['IPv4', 'pass', "port 587 opens and the greeting is the canary's own"],
      ['IPv6', 'skip', noRoute],
    ]);
    expect(built.practices.find((practice) => practice.id === 'P5')!.status).to.equal('pass');
  });
});
