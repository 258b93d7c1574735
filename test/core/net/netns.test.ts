import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createNamespacePair, NETNS_ENV, netnsUnavailable, nftFilter, type NamespacePair } from '../../helpers/netns.js';

const PORTS = { drop: 2501, prohibited: 2502, reset: 2503, greeter: 2525 };

/** The network under test: one port silently dropped, one rejected with ICMP admin-prohibited, one reset. */
const SERVER_RULES = nftFilter({ drop: [PORTS.drop], prohibited: [PORTS.prohibited], reset: [PORTS.reset] });

const script = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

interface Met {
  outcome: string;
  errorCode: string | null;
  ms: number;
}

describe('net: TCP outcomes through real filters (network namespaces, root only)', function () {
  this.timeout(60_000);
  let pair: NamespacePair | undefined;
  let results: Record<string, unknown> = {};

  before(async function () {
    const reason = netnsUnavailable();
    if (reason !== null) {
      process.stderr.write(`      skipped: ${reason}\n`);
      this.skip();
    }
    pair = await createNamespacePair('p25e-');
    pair.firewall(pair.server, SERVER_RULES);
    const greeter = pair.startNode(pair.server, script('netns-greeter.ts'), [String(PORTS.greeter)]);
    await greeter.waitForLine((line) => line === 'listening');
    const run = await pair.runNode(pair.client, script('netns-dial.ts'), [JSON.stringify({ server: pair.addresses.server, ports: PORTS })]);
    expect(run.code, run.stderr).to.equal(0);
    results = JSON.parse(run.stdout) as Record<string, unknown>;
  });

  after(async function () {
    await pair?.teardown();
  });

  it('lets a script run inside its namespace, and refuses it anywhere else before any socket', async function () {
    const inside = await pair!.runNode(pair!.client, script('netns-where.ts'));
    expect(inside.stdout.trim()).to.equal(`inside ${pair!.client}`);
    // The same script started in the host's namespace, told it is in the client's: it must refuse.
    const outside = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', script('netns-where.ts')], {
        env: { ...process.env, [NETNS_ENV]: pair!.client },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(outside.code).to.not.equal(0);
    expect(outside.stderr).to.include('refusing to open sockets');
  });

  for (const family of ['ipv4', 'ipv6']) {
    it(`${family}: a silent DROP is filtered (ETIMEDOUT) after the connect timeout`, function () {
      const met = results[`drop-${family}`] as Met;
      expect(met).to.include({ outcome: 'filtered', errorCode: 'ETIMEDOUT' });
      expect(met.ms).to.be.within(290, 3000);
    });

    it(`${family}: an ICMP admin-prohibited REJECT is unreachable`, function () {
      const met = results[`prohibited-${family}`] as Met;
      expect(met.outcome).to.equal('unreachable');
      expect(met.errorCode).to.equal(family === 'ipv4' ? 'EHOSTUNREACH' : 'EACCES');
    });

    it(`${family}: a TCP reset is closed (ECONNREFUSED)`, function () {
      expect(results[`reset-${family}`]).to.include({ outcome: 'closed', errorCode: 'ECONNREFUSED' });
    });

    it(`${family}: no route is unreachable (ENETUNREACH)`, function () {
      expect(results[`noroute-${family}`]).to.include({ outcome: 'unreachable', errorCode: 'ENETUNREACH' });
    });
  }

  it('aborts a hanging connect at once', function () {
    const met = results['abort'] as Met;
    expect(met).to.include({ outcome: 'error', errorCode: 'ABORTED' });
    expect(met.ms).to.be.within(90, 2000);
  });

  it('leaves no socket behind after timeouts', function () {
    expect(results['socketsLeft']).to.equal(0);
  });

  it('scans through the namespaces: the greeter opens with its banner on IPv4 and IPv6', function () {
    const lines = results['scan'] as { type: string; target?: { address: string }; outcome?: string; banner?: { text: string } }[];
    expect(lines[0]!.type).to.equal('scan');
    expect(lines.at(-1)).to.deep.include({ type: 'end', counts: { open: 2 } });
    const open = lines.filter((line) => line.outcome === 'open');
    expect(open.map((line) => line.target!.address).sort()).to.deep.equal([pair!.addresses.server.ipv4, pair!.addresses.server.ipv6].sort());
    for (const line of open) expect(line.banner!.text).to.equal('220 greeter.netns.test.example ESMTP');
  });
});
