import { expect } from 'chai';
import { addInbound, emptyInbound, GREETING_LIMIT } from '@port25-audit/core';
import { banner, tcp } from './fixtures.js';

describe('InboundAggregate', () => {
  const open = (host: number, text = `220 h${host}`) =>
    tcp('inbound-smtp', 'outside', { address: `203.0.113.${host}`, port: 25 }, 'open', { banner: banner(text) });

  it('counts outcomes and lists open hosts in address order', () => {
    let aggregate = emptyInbound();
    aggregate = addInbound(aggregate, open(1));
    aggregate = addInbound(aggregate, tcp('inbound-smtp', 'outside', { address: '203.0.113.2', port: 25 }, 'filtered'));
    aggregate = addInbound(aggregate, open(3));
    expect(aggregate.counts).to.deep.equal({ open: 2, closed: 0, filtered: 1, unreachable: 0, error: 0 });
    expect(aggregate).to.include({ total: 3, openTotal: 2 });
    expect(aggregate.openHosts.map((host) => host.address)).to.deep.equal(['203.0.113.1', '203.0.113.3']);
  });

  it('keeps the lowest open addresses whatever order the probes finished in (threads, shards, resume)', () => {
    const hosts = [42, 7, 230, 23, 9, 150, 1, 99];
    const fold = (order: number[]) => order.reduce((aggregate, host) => addInbound(aggregate, open(host)), emptyInbound(4));
    const forward = fold(hosts);
    expect(forward.openHosts.map((host) => host.address)).to.deep.equal(['203.0.113.1', '203.0.113.7', '203.0.113.9', '203.0.113.23']);
    expect(fold([...hosts].reverse()).openHosts).to.deep.equal(forward.openHosts);
    expect(forward.openTotal).to.equal(8);
  });

  it('is pure: the input aggregate is unchanged', () => {
    const before = emptyInbound();
    const after = addInbound(before, open(1));
    expect(before).to.deep.equal(emptyInbound());
    expect(after.total).to.equal(1);
  });

  it('stays bounded: a capped list and a bounded greeting however many hosts are open', () => {
    let aggregate = emptyInbound(10);
    for (let i = 0; i < 5000; i++) aggregate = addInbound(aggregate, open(i % 250, `220 ${'x'.repeat(10_000)}`));
    expect(aggregate.openHosts).to.have.length(10);
    expect(aggregate.openTotal).to.equal(5000);
    expect(aggregate.openHosts[0]!.greeting).to.have.length(GREETING_LIMIT);
  });

  it('keeps a null greeting for a host that opened silently', () => {
    const silent = tcp('inbound-smtp', 'outside', { address: '203.0.113.9', port: 25 }, 'open', { banner: null });
    expect(addInbound(emptyInbound(), silent).openHosts[0]!.greeting).to.equal(null);
  });

  it('ignores other probes and inbound observations from inside', () => {
    let aggregate = emptyInbound();
    aggregate = addInbound(aggregate, tcp('relay-smtp', 'outside', { address: '203.0.113.1', port: 25 }, 'open'));
    aggregate = addInbound(aggregate, tcp('inbound-smtp', 'inside', { address: '203.0.113.1', port: 25 }, 'open'));
    expect(aggregate.total).to.equal(0);
  });

  it('refuses a negative cap', () => {
    expect(() => emptyInbound(-1)).to.throw(RangeError);
  });
});
