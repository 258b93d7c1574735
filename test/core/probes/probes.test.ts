import { expect } from 'chai';
import {
  inboundSmtpProbe,
  outboundSmtpProbe,
  outboundSubmissionProbe,
  PROBES,
  probesFor,
  relaySmtpProbe,
  sampleTargets,
  singleRelayAddresses,
  taskKey,
  tcpDialer,
  type NameTable,
  type ProbeContext,
  type Task,
  type TaskInput,
  type TcpObservation,
} from '@port25-audit/core';
import { testPlan } from '../scan/plan-fixture.js';
import { greeter, listen, unusedPort } from '../net/listeners.js';

const WHOLE = { index: 0, count: 1 };

const plan = testPlan({
  scope: { dynamic: ['127.20.6.0/28'], exclude: ['127.20.6.1'] },
  authorizedRelays: ['127.20.6.10', '127.20.7.0/30', '127.20.7.9/32', '::1/128', '2001:db8::/64'],
  external: {
    mx: [
      { host: 'mx.canary.test.example', port: 25, expect: 'mx.canary.test.example' },
      { host: '127.20.6.200', port: 2525, expect: null },
      { host: 'gone.canary.test.example', port: 25, expect: 'gone.canary.test.example' },
    ],
    submission: [{ host: 'smtp.canary.test.example', port: 587, expect: 'smtp.canary.test.example' }],
  },
});
const names: NameTable = new Map<string, { addresses: { address: string; family: 'IPv4' | 'IPv6' }[] } | { errorCode: string }>([
  ['mx.canary.test.example', { addresses: [{ address: '127.20.6.100', family: 'IPv4' }, { address: '::1', family: 'IPv6' }] }],
  ['smtp.canary.test.example', { addresses: [{ address: '127.20.6.101', family: 'IPv4' }] }],
  ['gone.canary.test.example', { errorCode: 'ENOTFOUND' }],
]);

function tasks(probe: { tasks(input: TaskInput): Iterable<Task> }, input: Partial<TaskInput> = {}): Task[] {
  return [...probe.tasks({ plan, vantage: 'inside', names, shard: WHOLE, ...input })];
}

describe('probes: tasks', function () {
  it('registers the TCP probes and picks them by vantage', function () {
    expect(PROBES.map((p) => p.id)).to.include.members(['inbound-smtp', 'relay-smtp', 'outbound-smtp', 'outbound-submission']);
    expect(probesFor('outside').map((p) => p.id)).to.include.members(['inbound-smtp', 'relay-smtp']);
    expect(probesFor('outside').map((p) => p.id)).to.not.include.members(['outbound-smtp']);
    expect(probesFor('inside').map((p) => p.id)).to.include.members(['outbound-smtp', 'outbound-submission', 'relay-smtp']);
    expect(probesFor('inside').map((p) => p.id)).to.not.include('inbound-smtp');
  });

  it('inbound-smtp: the shard\'s part of the sample, on ports.smtp, from outside only', function () {
    const all = tasks(inboundSmtpProbe, { vantage: 'outside' });
    expect(all.map((t) => t.target.address).sort()).to.deep.equal([...sampleTargets(plan)].map((t) => t.address).sort());
    expect(all.every((t) => t.probe === 'inbound-smtp' && t.target.port === 9 && t.target.host === null)).to.equal(true);
    expect(all.map((t) => t.target.address)).to.not.include('127.20.6.1').and.not.include('127.20.6.10');
    const parts = [0, 1, 2].map((index) => tasks(inboundSmtpProbe, { vantage: 'outside', shard: { index, count: 3 } }));
    expect(parts.flat().map((t) => t.target.address).sort()).to.deep.equal(all.map((t) => t.target.address).sort());
    expect(tasks(inboundSmtpProbe, { vantage: 'inside' })).to.deep.equal([]);
  });

  it('relay-smtp: single-host relays only (a range only exempts from the sample), shard 0 only', function () {
    expect(singleRelayAddresses(plan)).to.deep.equal([
      { address: '127.20.6.10', family: 'IPv4' },
      { address: '127.20.7.9', family: 'IPv4' },
      { address: '::1', family: 'IPv6' },
    ]);
    for (const vantage of ['inside', 'outside'] as const) {
      expect(tasks(relaySmtpProbe, { vantage }).map((t) => `${t.target.address}:${t.target.port}`)).to.deep.equal(['127.20.6.10:9', '127.20.7.9:9', '::1:9']);
    }
    expect(tasks(relaySmtpProbe, { shard: { index: 1, count: 2 } })).to.deep.equal([]);
  });

  it('outbound-smtp: each MX canary on each of its addresses, with its expected greeting', function () {
    expect(tasks(outboundSmtpProbe)).to.deep.equal([
      { probe: 'outbound-smtp', target: { host: 'mx.canary.test.example', address: '127.20.6.100', port: 25, family: 'IPv4' }, expect: 'mx.canary.test.example' },
      { probe: 'outbound-smtp', target: { host: 'mx.canary.test.example', address: '::1', port: 25, family: 'IPv6' }, expect: 'mx.canary.test.example' },
      { probe: 'outbound-smtp', target: { host: null, address: '127.20.6.200', port: 2525, family: 'IPv4' }, expect: null },
    ]);
    expect(tasks(outboundSmtpProbe, { shard: { index: 2, count: 3 } })).to.deep.equal([]);
    expect(tasks(outboundSmtpProbe, { vantage: 'outside' })).to.deep.equal([]);
  });

  it('outbound-submission: each submission canary on each of its addresses', function () {
    expect(tasks(outboundSubmissionProbe)).to.deep.equal([
      { probe: 'outbound-submission', target: { host: 'smtp.canary.test.example', address: '127.20.6.101', port: 587, family: 'IPv4' }, expect: 'smtp.canary.test.example' },
    ]);
  });

  it('gives every task of a vantage its own key', function () {
    const all = probesFor('inside').flatMap((probe) => tasks(probe));
    expect(new Set(all.map((t) => taskKey(t.probe, t.target))).size).to.equal(all.length);
  });
});

describe('probes: run', function () {
  function context(signal = new AbortController().signal): ProbeContext {
    return { plan: testPlan({ probe: { connectTimeoutMs: 1000, dialogTimeoutMs: 300 } }), vantage: 'inside', dial: tcpDialer(), now: () => new Date('2025-01-02T00:00:00Z'), signal };
  }

  it('records an open port with its greeting, and the canary\'s expected text', async function () {
    const canary = await listen('127.20.6.100', greeter('220 mx.canary.test.example ESMTP\r\n'));
    try {
      const task: Task = { probe: 'outbound-smtp', target: { host: 'mx.canary.test.example', address: '127.20.6.100', port: canary.port, family: 'IPv4' }, expect: 'mx.canary.test.example' };
      const observation = (await outboundSmtpProbe.run(task, context())) as TcpObservation;
      expect(observation).to.deep.include({
        type: 'observation',
        probe: 'outbound-smtp',
        target: task.target,
        vantage: 'inside',
        startedAt: '2025-01-02T00:00:00.000Z',
        outcome: 'open',
        expect: 'mx.canary.test.example',
      });
      expect(observation.banner).to.include({ text: '220 mx.canary.test.example ESMTP', code: 220, truncated: false });
    } finally {
      await canary.close();
    }
  });

  it('sends nothing to the host it connects to', async function () {
    const received: Buffer[] = [];
    const host = await listen('127.20.6.102', (socket) => {
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.write('220 hi\r\n');
    });
    try {
      const task: Task = { probe: 'inbound-smtp', target: { host: null, address: '127.20.6.102', port: host.port, family: 'IPv4' } };
      const observation = await inboundSmtpProbe.run(task, context());
      expect(observation.outcome).to.equal('open');
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(Buffer.concat(received).length).to.equal(0);
    } finally {
      await host.close();
    }
  });

  it('bounds the greeting read by the dialog timeout', async function () {
    const silent = await listen('127.20.6.103', () => {});
    try {
      const task: Task = { probe: 'relay-smtp', target: { host: null, address: '127.20.6.103', port: silent.port, family: 'IPv4' } };
      const observation = (await relaySmtpProbe.run(task, context())) as TcpObservation;
      expect(observation.outcome).to.equal('open');
      expect(observation.banner).to.include({ text: '', code: null, truncated: true });
      expect(observation.banner!.ms).to.be.within(250, 2000);
    } finally {
      await silent.close();
    }
  });

  it('records a closed port with its error code', async function () {
    const port = await unusedPort('127.20.6.104');
    const task: Task = { probe: 'outbound-submission', target: { host: null, address: '127.20.6.104', port, family: 'IPv4' }, expect: null };
    const observation = await outboundSubmissionProbe.run(task, context());
    expect(observation).to.include({ outcome: 'closed', errorCode: 'ECONNREFUSED', expect: null });
    expect(observation).to.not.have.property('banner');
  });

  it('rejects with an AbortError when the scan is interrupted during the greeting', async function () {
    const silent = await listen('127.20.6.105', () => {});
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      const task: Task = { probe: 'inbound-smtp', target: { host: null, address: '127.20.6.105', port: silent.port, family: 'IPv4' } };
      await inboundSmtpProbe.run(task, { ...context(controller.signal), plan: testPlan({ probe: { dialogTimeoutMs: 5000 } }) }).then(
        () => expect.fail('an interrupted probe observes nothing'),
        (error: Error) => expect(error.name).to.equal('AbortError'),
      );
    } finally {
      await silent.close();
    }
  });
});
