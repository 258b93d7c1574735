import { expect } from 'chai';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import { startZoneServer, type ZoneServer } from '@port25-audit/fixtures/p4';

const codeOf = (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => undefined,
    (error: NodeJS.ErrnoException) => error.code,
  );

describe('fixtures/p4: the DNS zone server', function () {
  let dns: ZoneServer;
  let resolver: Resolver;

  before(async function () {
    dns = await startZoneServer(
      {
        'Mail.P4.test.': { A: ['127.70.0.25'], AAAA: ['::1'], TXT: ['v=spf1 -all'] },
        'refused.p4.test': { behaviour: 'refused' },
      },
      { host: '127.70.0.54' },
    );
    resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([dns.server]);
  });
  after(async function () {
    await dns.close();
  });

  it('answers the records of a name, whatever its case, and records each question', async function () {
    const before = dns.calls.length;
    expect(await resolver.resolve4('mail.p4.test')).to.deep.equal(['127.70.0.25']);
    expect(await resolver.resolve6('MAIL.p4.test')).to.deep.equal(['::1']);
    expect(await resolver.resolveTxt('mail.p4.test')).to.deep.equal([['v=spf1 -all']]);
    expect(dns.calls.slice(before).map((call) => [call.type, call.transport])).to.deep.equal([
      ['A', 'udp'],
      ['AAAA', 'udp'],
      ['TXT', 'udp'],
    ]);
  });

  it('says NXDOMAIN for an absent name, NODATA for a type the name lacks, REFUSED when told to', async function () {
    expect(await codeOf(resolver.resolve4('absent.p4.test'))).to.equal('ENOTFOUND');
    expect(await codeOf(resolver.resolveSrv('mail.p4.test'))).to.equal('ENODATA');
    expect(await codeOf(resolver.resolve4('refused.p4.test'))).to.equal('EREFUSED');
  });

  it('serves TCP on the same port, two length-prefixed queries in one write (RFC 7766 §6.2.1)', async function () {
    const query = (id: number, name: string) =>
      dnsPacket.streamEncode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
    const socket = connect({ host: dns.host, port: dns.port });
    const answers = await new Promise<dnsPacket.DecodedPacket[]>((resolve, reject) => {
      let received = Buffer.alloc(0);
      const decoded: dnsPacket.DecodedPacket[] = [];
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
          decoded.push(dnsPacket.decode(received.subarray(2, 2 + received.readUInt16BE(0))));
          received = received.subarray(2 + received.readUInt16BE(0));
        }
        if (decoded.length === 2) resolve(decoded);
      });
      socket.write(Buffer.concat([query(1, 'mail.p4.test'), query(2, 'absent.p4.test')]));
    });
    socket.destroy();
    // RFC 1035 §4.1.1: RCODE is the low four bits of the flags (dns-packet's types leave `rcode` out).
    const rcodeOf = (answer: dnsPacket.DecodedPacket): number => (answer.flags ?? 0) & 0xf;
    const dataOf = (answer: dnsPacket.DecodedPacket): unknown[] => (answer.answers ?? []).map((record) => ('data' in record ? record.data : null));
    expect(answers.map((answer) => [answer.id, rcodeOf(answer), dataOf(answer)])).to.deep.equal([
      [1, 0, ['127.70.0.25']],
      [2, 3, []],
    ]);
  });
});
