import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { DoneTasks, DoneTasksBuilder, type SharedDoneTasks } from '@port25-audit/core';

const host = (address: string, port = 25) => ({ host: null, address, port });

describe('scan/done-tasks: the tasks a resumed scan already holds', function () {
  function built(): DoneTasks {
    const builder = new DoneTasksBuilder();
    builder.add('inbound-smtp', host('127.20.9.1'));
    builder.add('inbound-smtp', host('127.20.9.200'));
    builder.add('inbound-smtp', host('127.20.9.1'));
    builder.add('inbound-smtp', host('255.255.255.255'));
    builder.add('inbound-smtp', host('0.0.0.0'));
    builder.add('inbound-smtp', host('2001:db8::25'));
    builder.add('outbound-smtp', { host: 'mx.canary.test.example', address: '127.20.9.7', port: 25 });
    return builder.build();
  }

  it('answers for sampled IPv4 hosts by probe, address and port', function () {
    const done = built();
    expect(done.empty).to.equal(false);
    for (const address of ['127.20.9.1', '127.20.9.200', '255.255.255.255', '0.0.0.0']) expect(done.has('inbound-smtp', host(address))).to.equal(true, address);
    expect(done.has('inbound-smtp', host('127.20.9.2'))).to.equal(false);
    expect(done.has('inbound-smtp', host('127.20.9.1', 587))).to.equal(false);
    expect(done.has('relay-smtp', host('127.20.9.1'))).to.equal(false);
  });

  it('answers for IPv6 hosts and named targets by their task key', function () {
    const done = built();
    expect(done.has('inbound-smtp', host('2001:db8::25'))).to.equal(true);
    expect(done.has('inbound-smtp', host('2001:db8::26'))).to.equal(false);
    expect(done.has('outbound-smtp', { host: 'mx.canary.test.example', address: '127.20.9.7', port: 25 })).to.equal(true);
    // The same address without the name is another task (DESIGN: one result per name and address).
    expect(done.has('outbound-smtp', host('127.20.9.7'))).to.equal(false);
  });

  it('keeps a non-canonical spelling apart from the canonical address', function () {
    const builder = new DoneTasksBuilder();
    builder.add('inbound-smtp', host('127.020.9.1'));
    const done = builder.build();
    expect(done.has('inbound-smtp', host('127.020.9.1'))).to.equal(true);
    expect(done.has('inbound-smtp', host('127.20.9.1'))).to.equal(false);
  });

  it('is empty for a new scan', function () {
    expect(DoneTasks.NONE.empty).to.equal(true);
    expect(DoneTasks.NONE.has('inbound-smtp', host('127.20.9.1'))).to.equal(false);
    expect(new DoneTasksBuilder().build().empty).to.equal(true);
  });

  it('crosses to a worker thread on shared memory and answers the same there', async function () {
    const shared = built().share();
    // The address arrays live on shared memory: a worker reads them without a copy.
    for (const [, addresses] of shared.ipv4) expect(addresses.buffer).to.be.instanceOf(SharedArrayBuffer);
    const answers = await new Promise<boolean[]>((resolve, reject) => {
      const worker = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads');
         parentPort.postMessage(workerData.ipv4.map(([, a]) => a.buffer instanceof SharedArrayBuffer));`,
        { eval: true, workerData: shared satisfies SharedDoneTasks },
      );
      worker.once('message', (message: boolean[]) => {
        void worker.terminate();
        resolve(message);
      });
      worker.once('error', reject);
    });
    expect(answers).to.deep.equal([true]);
    const again = DoneTasks.fromShared(structuredClone(shared));
    expect(again.has('inbound-smtp', host('127.20.9.200'))).to.equal(true);
    expect(again.has('outbound-smtp', { host: 'mx.canary.test.example', address: '127.20.9.7', port: 25 })).to.equal(true);
    expect(again.has('inbound-smtp', host('127.20.9.3'))).to.equal(false);
  });

  it('holds a million sampled hosts in about 4 MB', function () {
    const builder = new DoneTasksBuilder();
    for (let i = 0; i < 1_000_000; i++) builder.add('inbound-smtp', host(`127.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`));
    const shared = builder.build().share();
    expect(shared.ipv4).to.have.length(1);
    expect(shared.ipv4[0]![1].byteLength).to.equal(4_000_000);
    expect(shared.keys).to.deep.equal([]);
  });
});
