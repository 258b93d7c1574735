import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { runTasks, StartRate } from '@port25-audit/core';

function* numbers(count: number, pulled?: { count: number }): Generator<number> {
  for (let i = 0; i < count; i++) {
    if (pulled) pulled.count++;
    yield i;
  }
}

describe('scan/scheduler: runTasks', function () {
  it('runs every task once and never more than `concurrency` at a time', async function () {
    let active = 0;
    let peak = 0;
    const seen: number[] = [];
    await runTasks(numbers(200), { concurrency: 7, rate: 0 }, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await sleep(n % 3);
      seen.push(n);
      active--;
    });
    expect(peak).to.equal(7);
    expect(seen.sort((a, b) => a - b)).to.deep.equal([...numbers(200)]);
  });

  it('pulls tasks lazily: a huge iterable never materializes', async function () {
    const pulled = { count: 0 };
    let finished = 0;
    let widest = 0;
    await runTasks(numbers(2000, pulled), { concurrency: 16, rate: 0 }, async () => {
      widest = Math.max(widest, pulled.count - finished);
      await sleep(0);
      finished++;
    });
    expect(finished).to.equal(2000);
    // At most `concurrency` running plus `concurrency` waiting beside them.
    expect(widest).to.be.at.most(32);
  });

  it('honours the rate: in any span, starts ≤ burst + rate × span', async function () {
    const rate = 200;
    const starts: number[] = [];
    await runTasks(numbers(40), { concurrency: 40, rate }, async () => {
      starts.push(performance.now());
    });
    expect(starts).to.have.length(40);
    // rate 200/s: a burst of 4 (rate/50), then one start per 5 ms; 2 ms slack for the loop's ms clock.
    const burst = 4;
    for (let i = burst; i < starts.length; i++) {
      expect(starts[i]! - starts[0]!).to.be.at.least(((i - burst + 1) * 1000) / rate - 2, `start ${i}`);
    }
  });

  it('stops pulling on abort and lets running tasks finish', async function () {
    const controller = new AbortController();
    let started = 0;
    let finished = 0;
    function* endless(): Generator<number> {
      for (let i = 0; ; i++) yield i;
    }
    const run = runTasks(endless(), { concurrency: 4, rate: 0, signal: controller.signal }, async () => {
      started++;
      if (started === 50) controller.abort();
      await sleep(1);
      finished++;
    });
    await run;
    expect(started).to.be.at.least(50).and.at.most(54);
    expect(finished).to.equal(started);
  });

  it('starts nothing when aborted while tasks wait for their rate slot', async function () {
    const controller = new AbortController();
    let started = 0;
    const run = runTasks(numbers(100), { concurrency: 100, rate: 10, signal: controller.signal }, async () => {
      started++;
    });
    await sleep(50);
    controller.abort();
    const before = performance.now();
    await run;
    expect(performance.now() - before).to.be.below(1000); // does not sit out the remaining 9 s of slots
    expect(started).to.be.within(1, 3);
  });

  it('rejects with the first worker error after the others settle, and pulls no more', async function () {
    const pulled = { count: 0 };
    let running = 0;
    let settledAfterFailure = true;
    const run = runTasks(numbers(1000, pulled), { concurrency: 5, rate: 0 }, async (n) => {
      running++;
      try {
        await sleep(2);
        if (n === 20) throw new Error('probe 20 broke');
      } finally {
        running--;
      }
    });
    await run.then(
      () => expect.fail('should reject'),
      (error: Error) => {
        expect(error.message).to.equal('probe 20 broke');
        settledAfterFailure = running === 0;
      },
    );
    expect(settledAfterFailure).to.equal(true);
    expect(pulled.count).to.be.below(40);
  });

  it('rejects when the iterable throws, starting nothing more', async function () {
    function* broken(): Generator<number> {
      yield 1;
      throw new Error('sample broke');
    }
    let ran = 0;
    await runTasks(broken(), { concurrency: 2, rate: 0 }, async () => {
      ran++;
    }).then(
      () => expect.fail('should reject'),
      (error: Error) => expect(error.message).to.equal('sample broke'),
    );
    // The task pulled just before the error was still queued: it never starts.
    expect(ran).to.equal(0);
  });

  it('resolves at once for no tasks', async function () {
    await runTasks([], { concurrency: 3, rate: 5 }, async () => expect.fail('no task'));
  });
});

describe('scan/scheduler: StartRate', function () {
  it('reserves slots 1/rate apart after the burst', function () {
    const bucket = new StartRate(100, 3);
    const waits = Array.from({ length: 6 }, () => bucket.reserve());
    expect(waits.slice(0, 3).every((w) => w === 0)).to.equal(true);
    // The 4th start waits ~10 ms, the 5th ~20 ms (minus the instants the loop took).
    expect(waits[3]).to.be.within(9, 10);
    expect(waits[4]).to.be.within(19, 20);
    expect(waits[5]).to.be.within(29, 30);
  });
});
