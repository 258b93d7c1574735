/**
 * Issue 8, part 5 of the issue: scope is a promise (DESIGN "Scope is a
 * promise"). A property test over random plans and random DNS, SRV and
 * autoconfig answers: whole scans run with the real probes, the real scope
 * guard and the real name resolution, over a spy dialer below the guard, and
 * every address that reaches the spy is one the plan names.
 *
 * Nothing random is ever connected to: below the guard the spy answers SMTP
 * ports with a synthetic outcome, and takes every HTTPS connection to a local
 * autoconfig site (127.110.7.80) that answers with documents and redirects
 * pointing elsewhere (literal addresses, names under the domain, names that are
 * not the plan's). The oracle is computed here from the plan and the DNS
 * answers, with ipaddr.js, not with the scanner's own scope code; an
 * IPv4-mapped IPv6 address counts as the IPv4 host it reaches, whichever form
 * the plan or its DNS answers name.
 *
 * Runs are seeded: PORT25_FUZZ_SEED=<n> picks another seed and
 * PORT25_FUZZ_RUNS=<factor> multiplies the runs.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Port25Error, resolveNames, runScan, type Connection, type Dialer, type Family, type Plan, type Target } from '@port25-audit/core';
import { createFixtureCa, type FixtureCa } from '@port25-audit/fixtures';
import { startZoneServer, type ZoneServer } from '@port25-audit/fixtures/p4';

const SEED = process.env['PORT25_FUZZ_SEED'] === undefined ? 0x25_08_05 : Number(process.env['PORT25_FUZZ_SEED']);
const RUNS = Math.ceil(24 * Number(process.env['PORT25_FUZZ_RUNS'] ?? 1));
const DOMAIN = 'dom.p25x-scope.test';
const SITE = '127.110.7.80';
const ZONE = '127.110.7.53';
const PORTS = { smtp: 25, submission: 587, submissions: 465, https: 443 };

// ---------------------------------------------------------------- generators

/** Plan addresses: 10.0.0.0/8 and 2001:db8:1::/48 (nothing is dialed: the spy stands in for the network). */
const ipv4Value = fc.integer({ min: 0, max: 0xffffff });
const ipv4 = ipv4Value.map((n) => `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
const ipv6 = fc.integer({ min: 0, max: 0xffff }).map((n) => `2001:db8:1::${n.toString(16)}`);
const address = fc.oneof(ipv4, ipv6);
const v4Range = fc.tuple(ipv4Value, fc.integer({ min: 22, max: 32 })).map(([n, prefix]) => {
  const masked = prefix === 32 ? n : n & ~((1 << (32 - prefix)) - 1) & 0xffffff;
  return `10.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${prefix}`;
});
const v6Range = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 116, max: 128 })).map(([n, prefix]) => {
  const masked = prefix === 128 ? n : n & ~((1 << (128 - prefix)) - 1);
  return `2001:db8:1::${masked.toString(16)}/${prefix}`;
});
const range = fc.oneof(v4Range, v6Range);
/** Decoys: what answers point to and the plan never names (documentation ranges, other names). */
const decoyAddress = fc.oneof(
  fc.integer({ min: 1, max: 254 }).map((n) => `192.0.2.${n}`),
  fc.integer({ min: 1, max: 254 }).map((n) => `198.51.100.${n}`),
  fc.integer({ min: 1, max: 0xffff }).map((n) => `2001:db8:dead::${n.toString(16)}`),
);
/** Names a plan may give: under the mail domain (a redirect may target them) or elsewhere. */
const PLAN_NAMES = [`smtp-1.${DOMAIN}`, `smtp-2.${DOMAIN}`, `mx.${DOMAIN}`, 'submission.p25x-elsewhere.test', 'mx.p25x-elsewhere.test'];
const DECOY_NAMES = [`www.${DOMAIN}`, `evil.${DOMAIN}`, 'evil.p25x-elsewhere.test', 'smtp.example.org'];
const ALL_NAMES = [...PLAN_NAMES, `autoconfig.${DOMAIN}`, DOMAIN];
const host = fc.oneof(fc.constantFrom(...PLAN_NAMES), address);

const planArbitrary = fc.record({
  dynamic: fc.array(range, { maxLength: 2 }),
  hosts: fc.array(address, { maxLength: 3 }),
  exclude: fc.array(range, { maxLength: 2 }),
  relays: fc.array(fc.oneof(address, range), { maxLength: 2 }),
  servers: fc.uniqueArray(host, { maxLength: 3 }),
  domain: fc.boolean(),
  mx: fc.uniqueArray(host, { maxLength: 2 }),
  submission: fc.uniqueArray(host, { maxLength: 2 }),
  sampleSize: fc.integer({ min: 1, max: 40 }),
  sampleSeed: fc.integer({ min: 0, max: 1000 }),
  vantage: fc.constantFrom('inside' as const, 'outside' as const),
});

/** A name's answer: addresses (plan-like, decoys, IPv4-mapped forms) or a failure. */
const dnsAnswer = fc.oneof(
  { weight: 4, arbitrary: fc.uniqueArray(fc.oneof(address, decoyAddress, ipv4.map((a) => `::ffff:${a}`)), { minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.constant('ENOTFOUND' as const) },
);
const dnsArbitrary = fc.record(Object.fromEntries(ALL_NAMES.map((name) => [name, dnsAnswer])) as Record<string, typeof dnsAnswer>);

const anyHost = fc.oneof(fc.constantFrom(...ALL_NAMES, ...DECOY_NAMES), address.map((a) => (a.includes(':') ? `[${a}]` : a)), decoyAddress.map((a) => (a.includes(':') ? `[${a}]` : a)));
/** In a redirect, stands for a name the run's plan gives under the domain (the one kind of redirect the probe may follow). */
const PLAN_NAME_UNDER_DOMAIN = '@plan-name';

/** What the autoconfig site answers, request after request. */
const siteAnswer = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('redirect' as const),
      // Half of the redirects go to names under the domain, which the probe follows when the plan gives them.
      location: fc
        .tuple(fc.constantFrom('https', 'https', 'https', 'http'), fc.oneof(fc.constant(PLAN_NAME_UNDER_DOMAIN), anyHost), fc.constantFrom('', ':443', ':8443'))
        .map(([scheme, where, port]) => `${scheme}://${where}${port}/mail/config-v1.1.xml`),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('document' as const), hosts: fc.array(anyHost, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('status' as const), code: fc.constantFrom(404, 500) }) },
);
const srvAnswer = fc.array(fc.record({ port: fc.constantFrom(25, 465, 587, 2525), target: fc.oneof(fc.constantFrom(...ALL_NAMES, ...DECOY_NAMES), decoyAddress) }), { maxLength: 3 });

type PlanShape = typeof planArbitrary extends fc.Arbitrary<infer T> ? T : never;
type SiteAnswer = typeof siteAnswer extends fc.Arbitrary<infer T> ? T : never;

function canary(hostName: string, port: number) {
  return { host: hostName, port, expect: ipaddr.isValid(hostName) ? null : hostName };
}

function planOf(shape: PlanShape, dnsServer: string, caFile: string): Plan {
  return {
    version: 1,
    name: 'p25x scope property',
    scope: { dynamic: shape.dynamic, hosts: shape.hosts, exclude: shape.exclude },
    authorizedRelays: shape.relays,
    submission: { servers: shape.servers, domain: shape.domain ? DOMAIN : null },
    external: { mx: shape.mx.map((h) => canary(h, PORTS.smtp)), submission: shape.submission.map((h) => canary(h, PORTS.submission)) },
    sample: { size: shape.sampleSize, seed: shape.sampleSeed },
    ports: PORTS,
    probe: { concurrency: 16, rate: 0, connectTimeoutMs: 500, dialogTimeoutMs: 1500, ehloName: 'audit.p25x.test' },
    dns: { servers: [dnsServer] },
    tls: { caFile },
    credentials: null,
    attestations: { P4: null },
  };
}

// ---------------------------------------------------------------- the oracle

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) reaches the IPv4 host: it is that host. */
function hostAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const parsed = ipaddr.parse(text);
  return parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
}

function normalized(text: string): string {
  return hostAddress(text).toNormalizedString();
}

function within(text: string, cidr: string): boolean {
  const parsed = hostAddress(text);
  const [network, prefix] = ipaddr.parseCIDR(cidr.includes('/') ? cidr : `${cidr}/${ipaddr.parse(cidr).kind() === 'ipv4' ? 32 : 128}`);
  return parsed.kind() === network.kind() && parsed.match(network, prefix);
}

/**
 * DESIGN "Scope is a promise": ranges and hosts minus the exclusions, plus
 * relays, literal servers and canaries, plus the addresses the plan's names
 * resolved to (exclusions remove from the ranges and hosts only).
 */
function planNames(plan: Plan): Set<string> {
  const names = new Set([...plan.submission.servers, ...plan.external.mx.map((c) => c.host), ...plan.external.submission.map((c) => c.host)].filter((h) => !ipaddr.isValid(h)));
  if (plan.submission.domain !== null) names.add(`autoconfig.${plan.submission.domain}`).add(plan.submission.domain);
  return names;
}

function oracle(plan: Plan, dns: Record<string, readonly string[] | 'ENOTFOUND'>): (text: string) => boolean {
  const literals = [...plan.submission.servers, ...plan.external.mx.map((c) => c.host), ...plan.external.submission.map((c) => c.host)].filter((h) => ipaddr.isValid(h));
  const resolved = [...planNames(plan)].flatMap((name) => {
    const answer = dns[name];
    return answer === undefined || answer === 'ENOTFOUND' ? [] : answer;
  });
  const named = new Set([...literals, ...resolved].map(normalized));
  return (text) =>
    named.has(normalized(text)) ||
    plan.authorizedRelays.some((relay) => within(text, relay)) ||
    ([...plan.scope.dynamic, ...plan.scope.hosts].some((cidr) => within(text, cidr)) && !plan.scope.exclude.some((cidr) => within(text, cidr)));
}

// ---------------------------------------------------------------- the network below the guard

/** The autoconfig site every HTTPS dial is taken to; it answers with the run's script. */
async function startSite(ca: FixtureCa): Promise<{ server: Server; port: number; script: SiteAnswer[]; requests: number }> {
  const certificate = ca.issue({ names: [`autoconfig.${DOMAIN}`, DOMAIN, `*.${DOMAIN}`] });
  const state = { server: undefined as unknown as Server, port: 0, script: [] as SiteAnswer[], requests: 0 };
  state.server = createServer({ key: certificate.keyPem, cert: certificate.chainPem }, (request, response) => {
    const answer = state.script[state.requests++ % Math.max(1, state.script.length)] ?? { kind: 'status', code: 404 };
    if (answer.kind === 'redirect') {
      response.writeHead(302, { Location: answer.location, 'Content-Length': 0 }).end();
    } else if (answer.kind === 'status') {
      response.writeHead(answer.code, { 'Content-Length': 0 }).end();
    } else {
      const servers = answer.hosts
        .map((where) => `<outgoingServer type="smtp"><hostname>${where.replace(/^\[|\]$/g, '')}</hostname><port>587</port><socketType>STARTTLS</socketType><authentication>password-cleartext</authentication></outgoingServer>`)
        .join('');
      const xml = `<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="${DOMAIN}"><domain>${DOMAIN}</domain>${servers}</emailProvider></clientConfig>`;
      response.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml) }).end(xml);
    }
  });
  state.server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => state.server.listen(0, SITE, () => resolve()));
  const bound = state.server.address();
  state.port = typeof bound === 'object' && bound !== null ? bound.port : 0;
  return state;
}

/** Records every target below the guard; SMTP ports get a made-up outcome, every other port the loopback site. */
function spyDialer(sitePort: number, next: () => number): { dial: Dialer; dialed: Target[] } {
  const dialed: Target[] = [];
  const synthetic: Exclude<Connection, { outcome: 'open' }>[] = [
    { outcome: 'closed', ms: 1, errorCode: 'ECONNREFUSED' },
    { outcome: 'filtered', ms: 500, errorCode: 'ETIMEDOUT' },
    { outcome: 'unreachable', ms: 1, errorCode: 'EHOSTUNREACH' },
  ];
  const dial: Dialer = (target) => {
    dialed.push(target);
    if (target.port === PORTS.smtp || target.port === PORTS.submission || target.port === PORTS.submissions) {
      return Promise.resolve(synthetic[next() % synthetic.length]!);
    }
    return new Promise((resolve) => {
      const socket: Socket = connect({ host: SITE, port: sitePort });
      socket.once('connect', () => resolve({ outcome: 'open', socket, ms: 1 }));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve({ outcome: 'error', ms: 1, errorCode: error.code ?? 'EIO' }));
    });
  };
  return { dial, dialed };
}

describe('adversarial: scope — the dialer never connects to an address the plan does not name', function () {
  this.timeout(120_000);
  let dir: string;
  let ca: FixtureCa;
  let caFile: string;
  let site: Awaited<ReturnType<typeof startSite>>;
  let zone: ZoneServer;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'p25x-scope-'));
    ca = createFixtureCa({ commonName: 'p25x scope CA' });
    caFile = await ca.writeCaFile(join(dir, 'ca.pem'));
    site = await startSite(ca);
    zone = await startZoneServer({}, { host: ZONE });
  });
  after(async function () {
    await new Promise<void>((resolve) => site?.server.close(() => resolve()));
    await zone?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`holds for ${RUNS} random plans with random DNS, SRV and autoconfig answers (seed ${SEED})`, async function () {
    let scans = 0;
    let dials = 0;
    let lookups = 0;
    let fetched = 0;
    let followed = 0;
    await fc.assert(
      fc.asyncProperty(planArbitrary, dnsArbitrary, fc.array(siteAnswer, { minLength: 1, maxLength: 4 }), srvAnswer, srvAnswer, fc.integer({ min: 0, max: 1000 }), async (shape, dns, script, srv, srvs, outcomeSeed) => {
        const plan = planOf(shape, zone.server, caFile);
        const underDomain = [...planNames(plan)].filter((name) => name.endsWith(DOMAIN));
        site.script = script.map((answer, index) =>
          answer.kind === 'redirect' ? { ...answer, location: answer.location.replace(PLAN_NAME_UNDER_DOMAIN, underDomain[index % Math.max(1, underDomain.length)] ?? DOMAIN) } : answer,
        );
        site.requests = 0;
        zone.setZone({ [`_submission._tcp.${DOMAIN}`]: { SRV: srv }, [`_submissions._tcp.${DOMAIN}`]: { SRV: srvs } });
        const zoneCallsBefore = zone.calls.length;
        let counter = outcomeSeed;
        const spy = spyDialer(site.port, () => counter++);
        const asked: string[] = [];
        const lookup = async (name: string): Promise<{ address: string; family: Family }[]> => {
          asked.push(name);
          const answer = dns[name];
          if (answer === undefined || answer === 'ENOTFOUND') throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
          return answer.map((a) => ({ address: a, family: a.includes(':') ? ('IPv6' as const) : ('IPv4' as const) }));
        };
        try {
          await runScan({
            plan,
            digest: `sha256:${'25'.repeat(32)}`,
            vantage: { kind: shape.vantage, label: 'scope-property', host: 'test' },
            shard: { index: 0, count: 1 },
            out: join(dir, 'scan.ndjson'),
            dialer: spy.dial,
            resolve: (p, v) => resolveNames(p, { vantage: v, lookup }),
          });
          scans++;
        } catch (error) {
          // A plan with nothing to probe from this vantage is refused before anything is dialed.
          if (!(error instanceof Port25Error) || error.code !== 'NOTHING_TO_PROBE') throw error;
          expect(spy.dialed).to.deep.equal([]);
        }
        const names = planNames(plan);
        expect(asked.filter((name) => !names.has(name)), 'names looked up that the plan does not give').to.deep.equal([]);
        const allowed = oracle(plan, dns);
        const outside = spy.dialed.filter((target) => !allowed(target.address)).map((target) => `${target.address}:${target.port} (${target.host ?? 'no name'})`);
        expect(outside, 'addresses dialed that the plan does not name').to.deep.equal([]);
        // SRV answers are compared, never followed: the zone only ever hears the two SRV questions.
        const questions = zone.calls.slice(zoneCallsBefore).map((call) => `${call.type} ${call.name.toLowerCase()}`);
        expect(questions.filter((q) => q !== `SRV _submission._tcp.${DOMAIN}` && q !== `SRV _submissions._tcp.${DOMAIN}`)).to.deep.equal([]);
        dials += spy.dialed.length;
        lookups += asked.length;
        fetched += site.requests;
        // Redirects the probe followed: HTTPS dials to a plan name other than the two autoconfig hosts.
        followed += spy.dialed.filter((target) => target.port !== PORTS.smtp && target.port !== PORTS.submission && target.port !== PORTS.submissions && target.host !== `autoconfig.${DOMAIN}` && target.host !== DOMAIN).length;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(`      ${RUNS} plans: ${scans} scans, ${dials} dials below the guard, ${lookups} names looked up, ${fetched} autoconfig requests answered, ${followed} redirects followed to names of the plan`);
    expect(dials, 'the property saw real dials').to.be.above(0);
    expect(fetched, 'autoconfig answers were read and judged').to.be.above(0);
  });
});
