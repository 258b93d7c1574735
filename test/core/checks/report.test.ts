import { expect } from 'chai';
import { addInbound, buildReport, emptyInbound, TOOL, type Observation, type Plan, type Report } from '@port25-audit/core';
import { banner, canary, DIGEST, dns, end, expectValidReport, header, planWith, tcp } from './fixtures.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');

const plan: Plan = planWith({
  name: 'Example ISP',
  scope: { dynamic: ['203.0.113.0/24'], hosts: [], exclude: [] },
  authorizedRelays: ['192.0.2.10'],
  external: { mx: [canary('mx.example.org', 25, 'mx.example.org')], submission: [canary('smtp.example.org', 587, 'smtp.example.org')] },
});

const compliantInside: Observation[] = [
  dns('mx.example.org', 'inside', ['198.51.100.25']),
  dns('smtp.example.org', 'inside', ['198.51.100.7']),
  tcp('outbound-smtp', 'inside', { host: 'mx.example.org', address: '198.51.100.25', port: 25 }, 'filtered', { errorCode: 'ETIMEDOUT' }),
  tcp('outbound-submission', 'inside', { host: 'smtp.example.org', address: '198.51.100.7', port: 587 }, 'open', {
    banner: banner('220 smtp.example.org ESMTP'),
  }),
  tcp('relay-smtp', 'inside', { address: '192.0.2.10', port: 25 }, 'open', { banner: banner('220 relay.isp.example') }),
];

function closedInbound(n: number) {
  let inbound = emptyInbound();
  for (let i = 0; i < n; i++) {
    inbound = addInbound(inbound, tcp('inbound-smtp', 'outside', { address: `203.0.113.${i}`, port: 25 }, 'closed'));
  }
  return inbound;
}

function report(overrides: Partial<Parameters<typeof buildReport>[0]> = {}): Report {
  const built = buildReport({
    plan,
    digest: DIGEST,
    headers: [header(plan, { kind: 'inside' }), header(plan, { kind: 'outside' })],
    ends: [end(), end()],
    observations: compliantInside,
    inbound: closedInbound(50),
    now: NOW,
    ...overrides,
  });
  expectValidReport(built);
  return built;
}

describe('buildReport', () => {
  it('has the fields of DESIGN.md: schemaVersion, tool, generatedAt, plan name and digest', () => {
    const built = report();
    expect(built.schemaVersion).to.equal(1);
    expect(built.tool).to.deep.equal(TOOL);
    expect(built.generatedAt).to.equal('2025-03-01T12:00:00.000Z');
    expect(built.plan).to.deep.equal({ name: 'Example ISP', digest: DIGEST });
  });

  it('always has all six practices in order, with titles, references and statuses', () => {
    const built = report({ headers: [], ends: [], observations: [], inbound: emptyInbound() });
    expect(built.practices.map((practice) => practice.id)).to.deep.equal(['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
    expect(built.practices.every((practice) => practice.status === 'skip' && practice.title.length > 0)).to.equal(true);
    expect(built.practices[0]!.references).to.deep.equal(['RFC 6409', 'RFC 3207', 'RFC 8314']);
    expect(built.status).to.equal('skip');
    expect(built.vantages).to.deep.equal([]);
  });

  it('judges a compliant network: tested practices pass, untested ones skip, overall pass', () => {
    const built = report();
    expect(built.practices.map((practice) => [practice.id, practice.status])).to.deep.equal([
      ['P1', 'skip'], ['P2', 'skip'], ['P3', 'pass'], ['P4', 'skip'], ['P5', 'pass'], ['P6', 'pass'],
    ]);
    expect(built.status).to.equal('pass');
    const total = built.practices.reduce((sum, practice) => sum + practice.checks.length, 0);
    expect(built.counts).to.deep.equal({ pass: 4, warn: 0, fail: 0, skip: total - 4, error: 0 });
  });

  it('takes the worst practice as the overall status', () => {
    const leak = tcp('outbound-smtp', 'inside', { host: 'mx.example.org', address: '198.51.100.25', port: 25 }, 'open', {
      banner: banner('220 mx.example.org'),
    });
    const failed = report({ observations: [...compliantInside.filter((o) => o.probe !== 'outbound-smtp'), leak] });
    expect(failed.practices[4]!.status).to.equal('fail');
    expect(failed.status).to.equal('fail');

    const noDns = [dns('smtp.example.org', 'inside', { errorCode: 'ENOTFOUND' }), ...compliantInside.filter((o) => o.probe !== 'outbound-submission' && !(o.probe === 'dns' && (o as { name?: string }).name === 'smtp.example.org'))];
    const errored = report({ observations: noDns });
    expect(errored.practices[2]!.status).to.equal('error');
    expect(errored.status).to.equal('error');
  });

  it('keeps check results in catalogue order within a practice', () => {
    const p5 = report().practices[4]!;
    expect(p5.checks.map((check) => check.id)).to.deep.equal(['P5.outbound-25-blocked', 'P5.relay-reachable']);
  });

  it('describes each vantage: shards, earliest start, latest end, complete', () => {
    const built = report({
      headers: [
        header(plan, { kind: 'outside', label: 'cloud', host: 'pod-1' }, { shard: { index: 1, count: 2 }, startedAt: '2025-03-01T10:02:00.000Z' }),
        header(plan, { kind: 'outside', label: 'cloud', host: 'pod-0' }, { shard: { index: 0, count: 2 }, startedAt: '2025-03-01T10:01:00.000Z' }),
        header(plan, { kind: 'inside', label: 'cpe' }),
      ],
      ends: [end('2025-03-01T10:09:00.000Z'), end('2025-03-01T10:07:00.000Z'), end()],
    });
    expect(built.vantages).to.deep.equal([
      { kind: 'inside', label: 'cpe', host: 'inside-host', startedAt: '2025-03-01T10:00:00.000Z', finishedAt: '2025-03-01T10:05:00.000Z', shards: 1, complete: true },
      { kind: 'outside', label: 'cloud', host: 'pod-1, pod-0', startedAt: '2025-03-01T10:01:00.000Z', finishedAt: '2025-03-01T10:09:00.000Z', shards: 2, complete: true },
    ]);
  });

  it('marks a vantage incomplete when a shard is missing or a file never ended', () => {
    const missing = report({
      headers: [header(plan, { kind: 'outside' }, { shard: { index: 0, count: 3 } }), header(plan, { kind: 'outside' }, { shard: { index: 2, count: 3 } })],
      ends: [end(), end()],
    });
    expect(missing.vantages[0]).to.include({ shards: 3, complete: false });

    const torn = report({ headers: [header(plan, { kind: 'inside' })], ends: [null] });
    expect(torn.vantages[0]).to.include({ complete: false, finishedAt: null });
  });

  it('recognizes a census from the plan: every address of a /30 probed', () => {
    const small = planWith({ scope: { dynamic: ['203.0.113.0/30'], hosts: [], exclude: [] } });
    const built = report({ plan: small, headers: [header(small, { kind: 'outside' })], ends: [end()], observations: [], inbound: closedInbound(4) });
    const p6 = built.practices[5]!.checks[0]!;
    expect(p6.evidence).to.include({ census: true, universe: 4, upperBound95: 0 });
  });

  it('counts scope hosts outside the ranges and leaves out excluded addresses and relays', () => {
    const mixed = planWith({
      scope: { dynamic: ['203.0.113.0/30'], hosts: ['192.0.2.77', '203.0.113.1'], exclude: ['203.0.113.3'] },
      authorizedRelays: ['203.0.113.2'],
    });
    const built = report({ plan: mixed, headers: [header(mixed, { kind: 'outside' })], ends: [end()], observations: [], inbound: closedInbound(3) });
    expect(built.practices[5]!.checks[0]!.evidence).to.include({ universe: 3, census: true });
  });

  it('refuses headers and ends that do not pair up', () => {
    expect(() => buildReport({ plan, digest: DIGEST, headers: [header(plan, { kind: 'inside' })], ends: [], observations: [], inbound: emptyInbound(), now: NOW })).to.throw(RangeError);
  });
});
