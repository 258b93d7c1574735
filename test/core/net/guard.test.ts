import { expect } from 'chai';
import { createScope, guardDialer, tcpDialer, type Connection, type Dialer, type Target } from '@port25-audit/core';
import { testPlan } from '../scan/plan-fixture.js';
import { listen } from './listeners.js';

function target(address: string, port = 25): Target {
  return { host: null, address, port, family: address.includes(':') ? 'IPv6' : 'IPv4' };
}

/** A dialer that records what reaches it and never opens a socket. */
function spyDialer(): { dial: Dialer; seen: string[] } {
  const seen: string[] = [];
  const dial: Dialer = async (t) => {
    seen.push(t.address);
    return { outcome: 'closed', ms: 1, errorCode: 'ECONNREFUSED' } satisfies Connection;
  };
  return { dial, seen };
}

describe('net/guard: guardDialer', function () {
  const plan = testPlan({
    scope: { dynamic: ['127.20.3.0/28', '2001:db8:25e::/120'], hosts: ['127.20.3.100'], exclude: ['127.20.3.8'] },
    authorizedRelays: ['127.20.3.200'],
    external: { mx: [{ host: 'mx.canary.test.example', port: 25, expect: 'mx.canary.test.example' }], submission: [] },
  });
  const names = new Map([['mx.canary.test.example', { addresses: [{ address: '127.20.3.250', family: 'IPv4' as const }] }]]);
  const scope = createScope(plan, names);

  it('lets through the addresses the plan names', async function () {
    const spy = spyDialer();
    const dial = guardDialer(spy.dial, scope);
    for (const address of ['127.20.3.0', '127.20.3.15', '127.20.3.100', '127.20.3.200', '127.20.3.250', '2001:db8:25e::ff']) {
      expect((await dial(target(address), { timeoutMs: 100 })).outcome).to.equal('closed');
    }
    expect(spy.seen).to.have.length(6);
  });

  it('refuses everything else without reaching the dialer', async function () {
    const spy = spyDialer();
    const dial = guardDialer(spy.dial, scope);
    const outside = ['127.20.3.16', '127.20.3.8', '127.0.0.1', '192.0.2.1', '2001:db8:25e::100', '::1', '::ffff:127.20.3.16', '::ffff:7f14:310', '0.0.0.0'];
    for (const address of outside) {
      expect(await dial(target(address), { timeoutMs: 100 })).to.deep.equal({ outcome: 'error', ms: 0, errorCode: 'SCOPE' }, address);
    }
    expect(spy.seen).to.deep.equal([]);
  });

  it('refuses host names: the dialer takes resolved addresses only', async function () {
    const spy = spyDialer();
    const dial = guardDialer(spy.dial, scope);
    for (const host of ['mx.canary.test.example', 'localhost', '127.20.3.1.example', '']) {
      expect(await dial(target(host), { timeoutMs: 100 })).to.deep.equal({ outcome: 'error', ms: 0, errorCode: 'NOT_AN_ADDRESS' });
    }
    expect(spy.seen).to.deep.equal([]);
  });

  it('opens no socket for a refused address, even over the real dialer', async function () {
    const listener = await listen('127.20.3.99', () => {});
    try {
      const dial = guardDialer(tcpDialer(), scope);
      const refused = await dial(target('127.20.3.99', listener.port), { timeoutMs: 1000 });
      expect(refused).to.include({ outcome: 'error', errorCode: 'SCOPE' });
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(listener.accepted).to.equal(0);
    } finally {
      await listener.close();
    }
  });
});
