/**
 * Issue 8, part 2: bad plans. Property-based fuzzing of plan documents and plan
 * files, plus the hostile cases by name (alias bombs, wrong encodings, huge and
 * unreadable files, ranges as large as the whole address space, exclusions that
 * remove everything).
 *
 * Properties:
 * - every invalid plan is refused with Port25Error PLAN_INVALID or PLAN_UNREADABLE
 *   (exit code 2) whose lines name the file and the field, never another exception;
 * - every valid plan round-trips: normalize → YAML or JSON → load gives the same
 *   normalized plan and the same digest;
 * - the sample of any plan is the hosts plus min(size, M) addresses of the ranges,
 *   without repeats, inside the scope, split by shards into disjoint parts.
 *
 * Nothing here opens a socket except through the CLI cases, whose plans fail
 * before scanning or name only 127.80.0.0/16 (this suite's loopback block).
 *
 * Runs are seeded and bounded: PORT25_FUZZ_SEED=<n> picks another seed and
 * PORT25_FUZZ_RUNS=<factor> multiplies the runs, for a longer search by hand.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { stringify as yamlText } from 'yaml';
import {
  emptySampleReason,
  loadPlan,
  normalizePlan,
  parsePlan,
  planDigest,
  Port25Error,
  sampleSize,
  sampleTargets,
  type Plan,
} from '@port25-audit/core';
import { main } from 'port25-audit';

const SEED = process.env['PORT25_FUZZ_SEED'] === undefined ? 0x25_08_02 : Number(process.env['PORT25_FUZZ_SEED']);
/** PORT25_FUZZ_RUNS multiplies the runs, to search longer than CI does. */
const RUNS_FACTOR = Number(process.env['PORT25_FUZZ_RUNS'] ?? 1);
const runs = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: Math.ceil(numRuns * RUNS_FACTOR) });

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** A stack frame as V8 prints it: what a user must never see. */
const STACK_FRAME = /^\s+at .+(?::\d+:\d+\)?|\(native\))$/m;

// ---------------------------------------------------------------------------------------------
// Addresses and ranges, written by this file's own arithmetic (not the parser under test)

function dotted(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Eight full groups, no compression: the parser must canonicalize it. */
function fullIPv6(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16).padStart(4, '0'));
  return groups.join(':');
}

function networkOf(value: bigint, prefix: number, bits: number): bigint {
  const hostBits = BigInt(bits - prefix);
  return (value >> hostBits) << hostBits;
}

const ipv4Value = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const ipv6Value = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n });

const ipv4Address = fc.oneof(ipv4Value.map(dotted), fc.ipV4(), ipv4Value.map((value) => `::ffff:${dotted(value)}`));
const ipv6Address = fc.oneof(fc.mixedCase(ipv6Value.map(fullIPv6)), fc.ipV6());
const address = fc.oneof(ipv4Address, ipv6Address);

const ipv4Range = fc
  .tuple(ipv4Value, fc.integer({ min: 0, max: 32 }))
  .map(([value, prefix]) => `${dotted(Number(networkOf(BigInt(value), prefix, 32)))}/${prefix}`);
const ipv6Range = fc
  .tuple(ipv6Value, fc.integer({ min: 0, max: 128 }))
  .map(([value, prefix]) => `${fullIPv6(networkOf(value, prefix, 128))}/${prefix}`);
const range = fc.oneof(ipv4Range, ipv6Range);
const addressOrRange = fc.oneof(address, range);

/** RFC 1123 names, in any case, sometimes with the root's trailing dot. */
const hostName = fc
  .tuple(fc.mixedCase(fc.domain()), fc.boolean())
  .filter(([name]) => name.length <= 252)
  .map(([name, rooted]) => (rooted ? `${name}.` : name));
const hostOrAddress = fc.oneof(hostName, address);
const port = fc.integer({ min: 1, max: 65535 });
/** Free text: no control characters, well-formed Unicode, sometimes YAML-hostile (`: `, `#`, quotes, `*a`). */
const freeText = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
  fc.constantFrom('yes', 'null', '~', '1.0', '0x1F', '*alias', '&anchor x', '- item', 'a: b', '# comment', '"quoted"', "'", '[1, 2]', ' padded ', 'Ünïcödé ✓'),
).filter((text) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text));
const environmentName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,20}$/);
const resolver = fc.oneof(
  ipv4Address,
  fc.tuple(ipv4Value, port).map(([value, p]) => `${dotted(value)}:${p}`),
  ipv6Address,
  fc.tuple(ipv6Value, port).map(([value, p]) => `[${fullIPv6(value)}]:${p}`),
);
const isoDate = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const webUrl = fc
  .tuple(fc.constantFrom('http', 'https'), fc.domain(), fc.array(fc.stringMatching(/^[a-z0-9_-]{1,8}$/), { maxLength: 3 }))
  .map(([scheme, host, path]) => `${scheme}://${host}/${path.join('/')}`);

/** An optional plan value: left out, null (which means the default), or given. */
function optional<T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.option(value, { nil: null, freq: 4 });
}
const list = <T>(item: fc.Arbitrary<T>, maxLength = 4) => optional(fc.array(item, { maxLength }));

const canary = fc.oneof(
  hostOrAddress,
  fc.record({ host: hostOrAddress, port: optional(port), expect: optional(freeText) }, { requiredKeys: ['host'] }),
);

/** Plans as users write them: any subset of the fields, each in any valid spelling. */
const validPlanDocument = fc.record(
  {
    version: fc.constant(1),
    name: optional(freeText),
    scope: optional(fc.record({ dynamic: list(range), hosts: list(address), exclude: list(addressOrRange) }, { requiredKeys: [] })),
    authorizedRelays: list(addressOrRange),
    submission: optional(fc.record({ servers: list(hostOrAddress), domain: optional(hostName) }, { requiredKeys: [] })),
    external: optional(fc.record({ mx: list(canary), submission: list(canary) }, { requiredKeys: [] })),
    sample: optional(fc.record({ size: optional(fc.integer({ min: 1, max: MAX_SAFE })), seed: optional(fc.maxSafeInteger()) }, { requiredKeys: [] })),
    ports: optional(fc.record({ smtp: optional(port), submission: optional(port), submissions: optional(port), https: optional(port) }, { requiredKeys: [] })),
    probe: optional(
      fc.record(
        {
          concurrency: optional(fc.integer({ min: 1, max: MAX_SAFE })),
          rate: optional(fc.oneof(fc.constant(0), fc.double({ min: 0.000001, max: 1e6, noNaN: true }))),
          connectTimeoutMs: optional(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
          dialogTimeoutMs: optional(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
          ehloName: optional(hostName),
        },
        { requiredKeys: [] },
      ),
    ),
    dns: optional(fc.record({ servers: list(resolver) }, { requiredKeys: [] })),
    tls: optional(fc.record({ caFile: optional(freeText) }, { requiredKeys: [] })),
    credentials: optional(fc.record({ userEnv: environmentName, passwordEnv: environmentName })),
    attestations: optional(
      fc.record(
        {
          P4: optional(fc.record({ text: freeText, url: optional(webUrl), date: optional(isoDate), who: optional(freeText) }, { requiredKeys: ['text'] })),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: ['version'] },
);

// ---------------------------------------------------------------------------------------------
// Invalid plans: one field of a valid plan made wrong, and the path the error must name

type Path = (string | number)[];
interface Mutation {
  /** Where the bad value goes; a list path with `append` gets the value as a new last item. */
  path: Path;
  value: unknown;
  append?: boolean;
  /** Where, inside the appended item, the problem lies (a canary's `host`, `port`, `expect`). */
  at?: Path;
}

/** Strings no address, range, name or resolver can be: they hold a character none of those has. */
const junk = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 20 })
  .filter((text) => /[^0-9a-zA-Z.:/\[\]-]/.test(text));
const notAText = fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({ a: 1 }));
const notAList = fc.oneof(fc.integer(), fc.boolean(), fc.constant({ a: 1 }));
const notAMapping = fc.oneof(fc.integer(), fc.boolean(), fc.constant(['a']), fc.string({ minLength: 1, maxLength: 5 }));
const badRange = fc.oneof(
  junk,
  notAText,
  // Host bits set: the network would widen the scan behind the author's back.
  fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 31 }))
    .filter(([value, prefix]) => networkOf(BigInt(value), prefix, 32) !== BigInt(value))
    .map(([value, prefix]) => `${dotted(value)}/${prefix}`),
  fc.tuple(ipv4Value, fc.integer({ min: 33, max: 999 })).map(([value, prefix]) => `${dotted(value)}/${prefix}`),
  fc.tuple(ipv6Value, fc.integer({ min: 129, max: 999 })).map(([value, prefix]) => `${fullIPv6(value)}/${prefix}`),
  fc.constantFrom('203.0.113.0/033', '203.0.113.0/', '/24', '203.0.113/24', '256.0.0.0/8', '010.0.0.0/8', '2001:db8::/+56', 'fe80::%eth0/64'),
);
const badAddress = fc.oneof(junk, notAText, fc.constantFrom('203.0.113.0/24', '1.2.3', '1.2.3.4.5', '01.2.3.4', '::g', 'fe80::1%eth0', '1::2::3'));
const badHostName = fc.oneof(
  junk,
  notAText,
  fc.constantFrom('-lead.example', 'trail-.example', 'a..b', `${'a'.repeat(64)}.example`, '203.0.113.256', 'smtp.example.net:587', 'https://smtp.example.net/'),
);
const badPort = fc.oneof(fc.integer({ min: -100000, max: 0 }), fc.integer({ min: 65536, max: 10 ** 9 }), fc.double({ min: 1.01, max: 65534.99, noInteger: true }), fc.constant('25'), fc.boolean());
const badPositive = fc.oneof(fc.integer({ min: -1000, max: 0 }), fc.double({ min: 0.01, max: 1000, noInteger: true }), fc.constant('8'), fc.boolean(), fc.constant(MAX_SAFE + 2));
const badTimeout = fc.oneof(badPositive, fc.integer({ min: 2 ** 31, max: MAX_SAFE }));
const badRate = fc.oneof(fc.double({ min: -1e9, max: -0.001, noNaN: true }), fc.double({ min: 1e-300, max: 9e-7, noNaN: true }), fc.constant('1'), fc.boolean());
const badText = fc.oneof(notAText, fc.constant(''), fc.constantFrom('bell\u0007', 'nul\u0000', 'escape\u001b[2J', 'lone \ud800 surrogate', '\udfff'));
const badEnvironmentName = fc.oneof(notAText, fc.constantFrom('lower', '1ST', 'WITH-DASH', 'P25 USER', ''));
const badResolver = fc.oneof(junk, notAText, fc.constantFrom('[203.0.113.53]:53', '203.0.113.53:0', '203.0.113.53:65536', 'dns.example.net', '2001:db8::53::1', '[2001:db8::53]:'));
const badCanary = fc.oneof(
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(['mx.example.org'])).map((value) => ({ at: [] as Path, value })),
  junk.map((value) => ({ at: [] as Path, value })),
  badHostName.filter((value) => typeof value === 'string').map((host) => ({ at: ['host'] as Path, value: { host } })),
  badPort.map((p) => ({ at: ['port'] as Path, value: { host: 'mx.example.org', port: p } })),
  badText.map((expect) => ({ at: ['expect'] as Path, value: { host: 'mx.example.org', expect } })),
  fc.constant({ at: ['host'] as Path, value: { port: 25 } }),
);

/** Mapping sections where an unknown key can be put, with the keys they know. */
const SECTIONS: [Path, string[]][] = [
  [[], ['version', 'name', 'scope', 'authorizedRelays', 'submission', 'external', 'sample', 'ports', 'probe', 'dns', 'tls', 'credentials', 'attestations']],
  [['scope'], ['dynamic', 'hosts', 'exclude']],
  [['submission'], ['servers', 'domain']],
  [['external'], ['mx', 'submission']],
  [['sample'], ['size', 'seed']],
  [['ports'], ['smtp', 'submission', 'submissions', 'https']],
  [['probe'], ['concurrency', 'rate', 'connectTimeoutMs', 'dialogTimeoutMs', 'ehloName']],
  [['dns'], ['servers']],
  [['tls'], ['caFile']],
  [['attestations'], ['P4']],
];
const ALL_KEYS = new Set(SECTIONS.flatMap(([, keys]) => keys).concat(['userEnv', 'passwordEnv', 'text', 'url', 'date', 'who', 'host', 'port', 'expect']));

const unknownKey = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 12 })
  .filter((key) => !ALL_KEYS.has(key) && key !== '__proto__');

const field = (path: Path, value: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> => value.map((v) => ({ path, value: v }));
const item = (path: Path, value: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> => value.map((v) => ({ path, value: v, append: true }));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  field(['version'], fc.oneof(fc.integer().filter((n) => n !== 1), fc.constant('1'), fc.boolean(), fc.constant(2.5))),
  field(['name'], badText),
  ...['scope', 'submission', 'external', 'sample', 'ports', 'probe', 'dns', 'tls', 'credentials', 'attestations'].map((section) => field([section], notAMapping)),
  field(['scope', 'dynamic'], notAList),
  item(['scope', 'dynamic'], badRange),
  item(['scope', 'hosts'], badAddress),
  item(['scope', 'exclude'], badRange.filter((value) => typeof value !== 'string' || !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(value) || Number(value.split('/')[1]) > 32)),
  item(['authorizedRelays'], badAddress.filter((value) => typeof value !== 'string' || !value.includes('/'))),
  field(['authorizedRelays'], notAList),
  item(['submission', 'servers'], badHostName),
  field(['submission', 'domain'], fc.oneof(badHostName, fc.constant('203.0.113.10'))),
  ...['mx', 'submission'].map((role) => badCanary.map(({ at, value }): Mutation => ({ path: ['external', role], value, append: true, at }))),
  field(['sample', 'size'], badPositive),
  field(['sample', 'seed'], fc.oneof(fc.double({ min: -1e6, max: 1e6, noInteger: true }), fc.constant('1'), fc.constant(2 ** 60))),
  ...['smtp', 'submission', 'submissions', 'https'].map((name) => field(['ports', name], badPort)),
  field(['probe', 'concurrency'], badPositive),
  field(['probe', 'rate'], badRate),
  field(['probe', 'connectTimeoutMs'], badTimeout),
  field(['probe', 'dialogTimeoutMs'], badTimeout),
  field(['probe', 'ehloName'], badHostName),
  item(['dns', 'servers'], badResolver),
  field(['tls', 'caFile'], badText),
  field(['credentials', 'userEnv'], badEnvironmentName),
  field(['credentials', 'passwordEnv'], badEnvironmentName),
  field(['attestations', 'P4', 'text'], badText),
  field(['attestations', 'P4', 'url'], fc.oneof(notAText, fc.constantFrom('ftp://example.net/x', 'example.net', 'https://', 'javascript:alert(1)'))),
  field(['attestations', 'P4', 'date'], fc.oneof(notAText, fc.constantFrom('2025-13-01', '2025-02-30', '31.01.2025', '2025-1-1', 'tomorrow'))),
  fc.tuple(fc.constantFrom(...SECTIONS), unknownKey).map(([[path], key]): Mutation => ({ path: [...path, key], value: 1 })),
);

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Sets a value at a path, making the sections on the way (and completing required siblings). */
function applyMutation(document: Record<string, unknown>, change: Mutation): { document: Record<string, unknown>; path: Path } {
  const result = clone(document);
  let node: Record<string, unknown> = result;
  const path = change.path;
  for (const key of path.slice(0, -1) as string[]) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1] as string;
  // Sections whose fields are required: give the sibling fields good values so that only the mutated one is wrong.
  if (path[0] === 'credentials' && path.length === 2) Object.assign(node, { userEnv: 'P25_USER', passwordEnv: 'P25_PASSWORD', ...node });
  if (path[0] === 'attestations' && path.length === 3) Object.assign(node, { text: 'reviewed', ...node });
  if (change.append) {
    const current = node[last];
    const items = Array.isArray(current) ? current : [];
    items.push(change.value);
    node[last] = items;
    return { document: result, path: [...path, items.length - 1, ...(change.at ?? [])] };
  }
  node[last] = change.value;
  return { document: result, path };
}

/** `scope.dynamic[2]`, `external.mx[0].host`, `["odd key"]`: how problem lines name a place (docs/plan.md). */
function pathText(path: Path): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** The error a call throws; fails the test on any other outcome. */
function refusal(call: () => unknown): Port25Error {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) expect.fail('expected the plan to be refused');
  if (!(thrown instanceof Port25Error)) {
    expect.fail(`expected a Port25Error, got ${(thrown as Error)?.name}: ${(thrown as Error)?.message}\n${(thrown as Error)?.stack}`);
  }
  return thrown;
}

/** What every refusal of a plan must look like: exit 2, one headline, detail lines naming the file, no stack. */
function expectUserFacing(error: Port25Error, file: string): void {
  expect(['PLAN_INVALID', 'PLAN_UNREADABLE']).to.include(error.code);
  expect(error.exitCode).to.equal(2);
  expect(error.message, 'one headline').to.not.contain('\n');
  expect(error.message.length, 'a short headline').to.be.lessThan(400);
  expect(error.details.length, 'problem lines are capped').to.be.within(1, 101);
  for (const line of [error.message, ...error.details]) {
    expect(line, 'no line break inside a problem line').to.not.match(/[\n\r]/);
    expect(line).to.not.match(STACK_FRAME);
  }
  for (const line of error.details) expect(line.startsWith(`${file}:`) || line.startsWith(`${file} `), line).to.equal(true);
}

describe('adversarial: plans (property-based)', function () {
  this.timeout(60_000);

  describe('invalid plans are refused with the field named', () => {
    it('a wrong value anywhere in a valid plan gives PLAN_INVALID with a line naming its path, as a JS value and as YAML', () => {
      fc.assert(
        fc.property(validPlanDocument, mutation, (valid, change) => {
          const { document, path } = applyMutation(valid as Record<string, unknown>, change);
          const where = `plan.yaml: ${pathText(path)}`;
          const error = refusal(() => normalizePlan(document, 'plan.yaml'));
          expectUserFacing(error, 'plan.yaml');
          expect(error.code).to.equal('PLAN_INVALID');
          expect(error.message).to.match(/^plan\.yaml: the plan is not valid \(\d+ problems?\)$/);
          expect(
            error.details.some((line) => line === where || line.startsWith(`${where}: `) || line.startsWith(`${where}.`) || line.startsWith(`${where}[`)),
            `no line names ${pathText(path)}:\n${error.details.join('\n')}`,
          ).to.equal(true);

          // The same document as a YAML file: the same lines.
          const fromYaml = refusal(() => parsePlan(yamlText(document), 'plan.yaml'));
          expectUserFacing(fromYaml, 'plan.yaml');
          expect(fromYaml.details).to.deep.equal(error.details);
        }),
        runs(300),
      );
    });

    it('a value that is not a plan at all (any JSON or JS value) is refused, never thrown as another error', () => {
      fc.assert(
        fc.property(fc.oneof(fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true }), fc.jsonValue()), (value) => {
          const error = refusal(() => normalizePlan(value, 'odd.json'));
          expectUserFacing(error, 'odd.json');
        }),
        runs(300),
      );
    });

    it('any text, as a YAML, JSON or unnamed file, loads as a valid plan or is refused with file:line:column', () => {
      const text = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({ unit: 'binary-ascii', maxLength: 200 }),
        fc.array(fc.constantFrom('version: 1', 'version: 1\n', '{', '}', '[', ']', ':', '- ', '&a ', '*a', '!!str ', '? ', '"', "'", '#', '\n', '  ', '\t', ',', 'scope:', 'dynamic:', '127.80.0.0/24', '---', '...', '%YAML 1.2', '\\u0000', '\ufeff', '<<: *a'), { maxLength: 40 }).map((parts) => parts.join('')),
      );
      fc.assert(
        fc.property(text, fc.constantFrom('plan.yaml', 'plan.json', 'plan'), (body, file) => {
          let loaded: ReturnType<typeof parsePlan> | undefined;
          try {
            loaded = parsePlan(body, file);
          } catch (error) {
            if (!(error instanceof Port25Error)) expect.fail(`${(error as Error).name} for ${JSON.stringify(body)}: ${(error as Error).stack}`);
            expectUserFacing(error, file);
            return;
          }
          // What loads is a normalized plan: loading its own canonical form changes nothing.
          expect(normalizePlan(loaded.plan, file)).to.deep.equal(loaded.plan);
        }),
        runs(500),
      );
    });

    it('a valid YAML or JSON plan with random edits loads or is refused cleanly', () => {
      const edit = fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ unit: 'binary-ascii', maxLength: 6 }));
      fc.assert(
        fc.property(validPlanDocument, fc.boolean(), fc.array(edit, { minLength: 1, maxLength: 4 }), (document, asJson, edits) => {
          let body = asJson ? JSON.stringify(document, null, 2) : yamlText(document);
          for (const [at, remove, insert] of edits) {
            const position = at % (body.length + 1);
            body = body.slice(0, position) + insert + body.slice(position + remove);
          }
          const file = asJson ? 'plan.json' : 'plan.yaml';
          try {
            const loaded = parsePlan(body, file);
            expect(normalizePlan(loaded.plan, file)).to.deep.equal(loaded.plan);
          } catch (error) {
            if (!(error instanceof Port25Error)) expect.fail(`${(error as Error).name} for ${JSON.stringify(body)}: ${(error as Error).stack}`);
            expectUserFacing(error, file);
          }
        }),
        runs(200),
      );
    });
  });

  describe('valid plans round-trip', () => {
    it('normalize → YAML or JSON → load gives the same plan and digest, and a normalized plan is its own normal form', () => {
      fc.assert(
        fc.property(validPlanDocument, (document) => {
          const plan = normalizePlan(document, 'plan.yaml');
          const digest = planDigest(plan);
          expect(normalizePlan(clone(plan), 'plan.yaml')).to.deep.equal(plan);
          for (const [text, file] of [
            [yamlText(plan), 'plan.yaml'],
            [JSON.stringify(plan, null, 2), 'plan'],
          ] as const) {
            const loaded = parsePlan(text, file);
            expect(loaded.plan, file).to.deep.equal(plan);
            expect(loaded.digest, file).to.equal(digest);
          }
          // The document as the user wrote it, as YAML and as JSON: one meaning, one digest.
          expect(parsePlan(yamlText(document), 'written.yaml').digest).to.equal(digest);
          expect(parsePlan(JSON.stringify(document), 'written.json').digest).to.equal(digest);
        }),
        runs(200),
      );
    });

    it('the digest does not depend on key order', () => {
      fc.assert(
        fc.property(validPlanDocument, fc.integer(), (document, salt) => {
          const shuffle = (value: unknown): unknown => {
            if (Array.isArray(value)) return value.map(shuffle);
            if (typeof value !== 'object' || value === null) return value;
            const entries = Object.entries(value).sort(([a], [b]) => ((a.length * 31 + salt) % 7) - ((b.length * 31 + salt) % 7) || b.localeCompare(a));
            return Object.fromEntries(entries.map(([key, inner]) => [key, shuffle(inner)]));
          };
          expect(parsePlan(JSON.stringify(shuffle(document)), 'shuffled.json').digest).to.equal(planDigest(normalizePlan(document, 'plan.yaml')));
        }),
        runs(100),
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Sampling: an independent oracle over small universes (every address enumerated by the test)

/** 127.80.0.0: ranges of the sampling property stay inside 127.80.0.0/20. */
const LOOPBACK_BASE = 0x7f500000;
const V6_BASE = 0x20010db8n << 96n;

interface SmallRange {
  family: 4 | 6;
  offset: number;
  prefix: number;
}

const smallRange: fc.Arbitrary<SmallRange> = fc.oneof(
  fc.record({ family: fc.constant(4 as const), offset: fc.nat(4095), prefix: fc.integer({ min: 22, max: 32 }) }),
  fc.record({ family: fc.constant(6 as const), offset: fc.nat(4095), prefix: fc.integer({ min: 118, max: 128 }) }),
);

function smallRangeText({ family, offset, prefix }: SmallRange): { text: string; members: string[] } {
  const bits = family === 4 ? 32 : 128;
  const base = family === 4 ? BigInt(LOOPBACK_BASE) : V6_BASE;
  const network = networkOf(base + BigInt(offset), prefix, bits);
  const count = 1n << BigInt(bits - prefix);
  const members: string[] = [];
  for (let i = 0n; i < count; i += 1n) members.push(`${family}:${network + i}`);
  const text = family === 4 ? dotted(Number(network)) : fullIPv6(network);
  return { text: prefix === bits ? text : `${text}/${prefix}`, members };
}

/** `4:<integer>` or `6:<integer>` of an address text, by ipaddr.js (not the parser under test). */
function addressKey(text: string): string {
  const parsed = ipaddr.parse(text);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return addressKey((parsed as ipaddr.IPv6).toIPv4Address().toString());
  let value = 0n;
  for (const byte of parsed.toByteArray()) value = (value << 8n) | BigInt(byte);
  return `${parsed.kind() === 'ipv4' ? 4 : 6}:${value}`;
}

describe('adversarial: sampling (property-based, against an enumerating oracle)', function () {
  this.timeout(60_000);

  it('hosts first, then min(size, M) addresses, none twice, none outside scope, shards disjoint and complete', () => {
    const scenario = fc.record({
      dynamic: fc.array(smallRange, { maxLength: 4 }),
      hosts: fc.array(smallRange.map((r) => ({ ...r, prefix: r.family === 4 ? 32 : 128 })), { maxLength: 5 }),
      exclude: fc.array(smallRange, { maxLength: 3 }),
      relays: fc.array(smallRange, { maxLength: 2 }),
      size: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 9000 }), fc.constant(MAX_SAFE)),
      seed: fc.maxSafeInteger(),
      shards: fc.integer({ min: 1, max: 7 }),
    });
    fc.assert(
      fc.property(scenario, ({ dynamic, hosts, exclude, relays, size, seed, shards }) => {
        const dynamicTexts = dynamic.map(smallRangeText);
        const hostTexts = hosts.map(smallRangeText);
        const excludeTexts = exclude.map(smallRangeText);
        const relayTexts = relays.map(smallRangeText);
        const plan = normalizePlan(
          {
            version: 1,
            scope: { dynamic: dynamicTexts.map((r) => (r.text.includes('/') ? r.text : `${r.text}/${r.text.includes(':') ? 128 : 32}`)), hosts: hostTexts.map((r) => r.text), exclude: excludeTexts.map((r) => r.text) },
            authorizedRelays: relayTexts.map((r) => r.text),
            sample: { size, seed },
          },
          'sample.yaml',
        );

        const removed = new Set([...excludeTexts, ...relayTexts].flatMap((r) => r.members));
        const keptHosts = [...new Set(hostTexts.flatMap((r) => r.members))].filter((key) => !removed.has(key));
        const pool = new Set(dynamicTexts.flatMap((r) => r.members).filter((key) => !removed.has(key)));
        for (const host of keptHosts) pool.delete(host);
        const expected = keptHosts.length + Math.min(size, pool.size);

        const parts = Array.from({ length: shards }, (_, index) => [...sampleTargets(plan, { index, count: shards })].map((target) => addressKey(target.address)));
        const drawn = parts.flat();
        const drawnSet = new Set(drawn);
        expect(drawn.length, 'the sample size').to.equal(expected);
        expect(drawnSet.size, 'no address twice, shards disjoint').to.equal(drawn.length);
        expect(sampleSize(plan)).to.equal(BigInt(expected));
        expect(keptHosts.filter((host) => !drawnSet.has(host)), 'every kept host is probed').to.deep.equal([]);
        const kept = new Set(keptHosts);
        expect(drawn.filter((key) => !kept.has(key) && !pool.has(key)), 'only addresses in scope').to.deep.equal([]);
        if (size >= pool.size) expect([...pool].filter((key) => !drawnSet.has(key)), 'a census takes every address').to.deep.equal([]);
        const whole = [...sampleTargets(plan)].map((target) => addressKey(target.address));
        expect(whole.length).to.equal(drawn.length);
        expect(whole.filter((key) => !drawnSet.has(key)), 'the shards together are the whole sample').to.deep.equal([]);
        expect(emptySampleReason(plan) === null).to.equal(expected > 0);
      }),
      runs(150),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Named cases

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs the CLI in-process with captured output. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, env: {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** What a user sees for a refused plan: exit 2, a first line naming the file and the reason, no stack, nothing on stdout. */
function expectPlanRefusal(result: { code: number; stdout: string; stderr: string }, file: string, reason: RegExp): void {
  expect(result.code, result.stderr).to.equal(2);
  expect(result.stdout).to.equal('');
  const [first] = result.stderr.split('\n');
  expect(first!.startsWith(`port25-audit: ${file}`), first).to.equal(true);
  expect(result.stderr, result.stderr).to.match(reason);
  expect(result.stderr).to.not.match(STACK_FRAME);
  expect(result.stderr).to.not.contain('unexpected error');
}

describe('adversarial: plan files through the CLI', function () {
  this.timeout(30_000);
  let directory: string;
  let scanFile: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'port25-adversarial-plans-'));
    scanFile = join(directory, 'scan.ndjson');
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  /** `scan --vantage outside` of a plan file; none of these plans gets as far as a connection. */
  const scanWith = (plan: string) => cli(['scan', '--plan', plan, '--vantage', 'outside', '--out', scanFile, '--quiet']);

  const BILLION_LAUGHS = ['version: 1', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    .concat('bcdefghi'.split('').map((letter, i) => `${letter}: &${letter} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`))
    .join('\n');

  const FILES: { name: string; bytes: () => Buffer; reason: RegExp }[] = [
    { name: 'empty.yaml', bytes: () => Buffer.alloc(0), reason: /the plan is empty; it needs at least "version: 1"/ },
    { name: 'blank.yaml', bytes: () => Buffer.from('\n   \n\n'), reason: /the plan is empty/ },
    { name: 'comments-only.yaml', bytes: () => Buffer.from('# nothing here\n'), reason: /the plan is empty/ },
    { name: 'utf16le-bom.yaml', bytes: () => Buffer.from('\ufeffversion: 1\n', 'utf16le'), reason: /is UTF-16 text; save it as UTF-8/ },
    { name: 'utf16be-bom.yaml', bytes: () => Buffer.from('\ufeffversion: 1\n', 'utf16le').swap16(), reason: /is UTF-16 text; save it as UTF-8/ },
    { name: 'utf16le.yaml', bytes: () => Buffer.from('version: 1\nname: Lab\n', 'utf16le'), reason: /is UTF-16 text; save it as UTF-8/ },
    { name: 'latin1.yaml', bytes: () => Buffer.from('version: 1\nname: Müller Net\n', 'latin1'), reason: /latin1\.yaml:2: is not UTF-8 text \(line 2 has other bytes\); save the plan as UTF-8/ },
    { name: 'nul.yaml', bytes: () => Buffer.from('version: 1\nname: a\0b\n'), reason: /is a binary file \(it contains NUL bytes\)/ },
    { name: 'gzip.yaml.gz', bytes: () => Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x4c, 0x4a, 0x06, 0x00]), reason: /is a binary file/ },
    { name: 'noise.bin', bytes: () => Buffer.from(Array.from({ length: 300 }, (_, i) => 0x80 + ((i * 37) % 0x7f))), reason: /is not UTF-8 text/ },
    { name: 'huge.yaml', bytes: () => Buffer.concat([Buffer.from('version: 1\nname: '), Buffer.alloc(2 * 1024 * 1024, 'x'), Buffer.from('\n')]), reason: /is larger than 1024 KiB/ },
    { name: 'laughs.yaml', bytes: () => Buffer.from(BILLION_LAUGHS), reason: /expands more than 100 YAML aliases; refusing a possible "billion laughs" document/ },
    { name: 'cycle.yaml', bytes: () => Buffer.from('version: 1\nname: &n [*n]\n'), reason: /a YAML alias refers to a list or mapping that contains it/ },
    { name: 'deep.json', bytes: () => Buffer.from(`{"version": 1, "name": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`), reason: /deep\.json:1:\d+: nests lists and mappings more than 32 deep/ },
    { name: 'deep.yaml', bytes: () => Buffer.from(`version: 1\nname: ${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}\n`), reason: /deep\.yaml:2:\d+: nests lists and mappings more than 32 deep/ },
    { name: 'keys.yaml', bytes: () => Buffer.from(`version: 1\n${Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n')}\n`), reason: /k0: is not a known key[\s\S]*… and 19900 more problems/ },
    { name: 'two-documents.yaml', bytes: () => Buffer.from('version: 1\n---\nversion: 1\n'), reason: /two-documents\.yaml:2:1: a plan is one YAML document/ },
    { name: 'duplicate.yaml', bytes: () => Buffer.from('version: 1\nname: a\nname: b\n'), reason: /duplicate\.yaml:3:1: duplicate key "name"/ },
  ];

  for (const { name, bytes, reason } of FILES) {
    it(`refuses ${name} with exit 2 and the reason, without a scan`, async () => {
      const file = join(directory, name);
      await writeFile(file, bytes());
      const started = performance.now();
      expectPlanRefusal(await scanWith(file), file, reason);
      // Generous bound: refused at once, never after a stall (the lexers, not the recursion, find the depth).
      expect(performance.now() - started).to.be.lessThan(10_000);
      expect(existsSync(scanFile), 'no scan file').to.equal(false);
    });
  }

  it('refuses a missing file, a directory, a path through a file, a symlink loop and /dev/zero', async () => {
    const notThere = join(directory, 'missing.yaml');
    expectPlanRefusal(await scanWith(notThere), notThere, /no such file \(port25-audit init --out FILE writes an annotated plan\)/);
    expectPlanRefusal(await scanWith(directory), directory, /is a directory, not a plan file/);
    const file = join(directory, 'regular.yaml');
    await writeFile(file, 'version: 1\n');
    expectPlanRefusal(await scanWith(join(file, 'plan.yaml')), join(file, 'plan.yaml'), /a part of the path is not a directory/);
    const loop = join(directory, 'loop.yaml');
    await symlink(loop, loop);
    expectPlanRefusal(await scanWith(loop), loop, /cannot be read \(ELOOP\)/);
    if (existsSync('/dev/zero')) expectPlanRefusal(await scanWith('/dev/zero'), '/dev/zero', /is larger than 1024 KiB/);
    const empty = await scanWith('');
    expect(empty.code).to.equal(2);
    expect(empty.stderr).to.contain('the plan file name is empty');
  });

  it('refuses a file that cannot be read (EIO) with the system\'s reason', async function () {
    // Reading /proc/self/mem at offset 0 fails with EIO: an unreadable file even for root.
    if (!existsSync('/proc/self/mem')) this.skip();
    expectPlanRefusal(await scanWith('/proc/self/mem'), '/proc/self/mem', /cannot be read \(EIO\)/);
  });

  it('refuses a file without read permission (as another user when run as root)', async function () {
    const shared = join(directory, 'shared');
    await mkdir(shared, { mode: 0o755 });
    await chmod(directory, 0o755);
    const secret = join(shared, 'secret.yaml');
    await writeFile(secret, 'version: 1\nscope: {dynamic: [127.80.3.0/30]}\n');
    await chmod(secret, 0o000);
    if (process.getuid?.() !== 0) {
      expectPlanRefusal(await scanWith(secret), secret, /permission denied \(the plan must be readable by this user\)/);
      return;
    }
    // Root reads any file: run the CLI as "nobody", for whom the file is unreadable.
    const repository = fileURLToPath(new URL('../../', import.meta.url));
    const asNobody = { cwd: repository, uid: 65534, gid: 65534, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env['PATH'] ?? '', HOME: '/tmp' } } as const;
    // Node and the checkout may sit where "nobody" cannot go (a home directory of mode 700): then this case cannot be staged.
    const reachable = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(join(repository, 'package.json'))})`], asNobody);
    if (reachable.status !== 0) this.skip();
    const child = spawnSync(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { main } from 'port25-audit'; process.exitCode = await main(['scan', '--plan', ${JSON.stringify(secret)}, '--vantage', 'outside', '--out', ${JSON.stringify(join(shared, 'scan.ndjson'))}]);`,
      ],
      asNobody,
    );
    expectPlanRefusal({ code: child.status ?? -1, stdout: child.stdout, stderr: child.stderr }, secret, /permission denied \(the plan must be readable by this user\)/);
  });

  it('loads a UTF-8 file with a byte order mark and CRLF line ends', async () => {
    const file = join(directory, 'windows.yaml');
    await writeFile(file, '\ufeffversion: 1\r\nname: Lab\r\nscope:\r\n  dynamic: [127.80.4.0/30]\r\n');
    const loaded = await loadPlan(file);
    expect(loaded.plan.name).to.equal('Lab');
    expect(loaded.plan.scope.dynamic).to.deep.equal(['127.80.4.0/30']);
  });
});

describe('adversarial: ranges', function () {
  this.timeout(30_000);

  const plan = (scope: Partial<Plan['scope']>, extra: Record<string, unknown> = {}): Plan =>
    normalizePlan({ version: 1, scope, ...extra }, 'plan.yaml');

  it('samples 0.0.0.0/0 and ::/0 without enumerating: the first thousand of an astronomically large sample at once', () => {
    const whole = plan({ dynamic: ['0.0.0.0/0', '::/0'], exclude: ['10.0.0.0/8', '2001:db8::/32'] }, { sample: { size: MAX_SAFE, seed: 7 } });
    expect(sampleSize(whole)).to.equal(BigInt(MAX_SAFE));
    const started = performance.now();
    const seen = new Set<string>();
    let ipv6 = 0;
    for (const shard of [0, 3]) {
      const targets = sampleTargets(whole, { index: shard, count: 4 });
      for (let i = 0; i < 500; i += 1) {
        const { value, done } = targets.next();
        expect(done).to.not.equal(true);
        const target = value as { address: string; family: string };
        expect(seen.has(target.address)).to.equal(false);
        seen.add(target.address);
        if (target.family === 'IPv6') ipv6 += 1;
        expect(target.address.startsWith('10.')).to.equal(false);
        expect(target.address.startsWith('2001:db8:')).to.equal(false);
      }
    }
    // The IPv6 half is 2^96 times larger: nearly every draw is IPv6, and none of it was listed.
    expect(ipv6).to.be.greaterThan(990);
    expect(performance.now() - started).to.be.lessThan(5_000);
  });

  it('draws the IPv4 /0 alone, and takes a census of a range smaller than the sample, network and broadcast included', () => {
    const v4 = plan({ dynamic: ['0.0.0.0/0'] }, { sample: { size: 1000, seed: 1 } });
    const drawn = [...sampleTargets(v4)];
    expect(drawn).to.have.length(1000);
    expect(new Set(drawn.map((target) => target.address)).size).to.equal(1000);

    const small = plan({ dynamic: ['127.80.5.0/30', '127.80.5.2/31'] }, { sample: { size: 1_000_000, seed: 1 } });
    expect([...sampleTargets(small)].map((target) => target.address).sort()).to.deep.equal(['127.80.5.0', '127.80.5.1', '127.80.5.2', '127.80.5.3']);
    expect(sampleSize(small)).to.equal(4n);
  });

  it('counts overlapping and duplicate ranges once', () => {
    const overlapping = plan({ dynamic: ['127.80.6.0/24', '127.80.6.0/25', '127.80.6.128/26', '127.80.6.0/24', '::ffff:127.80.6.0/120'] }, { sample: { size: 100_000, seed: 3 } });
    const drawn = [...sampleTargets(overlapping)].map((target) => target.address);
    expect(drawn).to.have.length(256);
    expect(new Set(drawn).size).to.equal(256);
  });

  it('says why the sample is empty when exclusions or relays remove every address', () => {
    expect(emptySampleReason(plan({}))).to.equal('scope.dynamic and scope.hosts are empty, so the P6 sample is empty');
    expect(emptySampleReason(plan({ dynamic: ['127.80.7.0/24'], exclude: ['127.80.0.0/16'] }))).to.equal(
      'scope.exclude removes every address of scope.dynamic (256 addresses), so the P6 sample is empty',
    );
    expect(emptySampleReason(plan({ dynamic: ['127.80.7.0/31'], hosts: ['127.80.7.0'] }, { authorizedRelays: ['127.80.7.0/31'] }))).to.equal(
      'authorizedRelays remove every address of scope.dynamic and scope.hosts (2 addresses), so the P6 sample is empty',
    );
    expect(emptySampleReason(plan({ dynamic: ['127.80.7.0/31'], exclude: ['127.80.7.0'] }, { authorizedRelays: ['127.80.7.1'] }))).to.equal(
      'scope.exclude and authorizedRelays together remove every address of scope.dynamic (2 addresses), so the P6 sample is empty',
    );
    expect(emptySampleReason(plan({ dynamic: ['::/0'], exclude: ['::/1', '8000::/1'] }))).to.contain('scope.exclude removes every address of scope.dynamic (340282366920938463463374607431768211456 addresses)');
    expect(emptySampleReason(plan({ dynamic: ['127.80.7.0/31'], exclude: ['127.80.7.0'] }))).to.equal(null);
  });

  it('a scan from outside whose exclusions remove everything exits 2 naming scope.dynamic, before any connection', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'port25-adversarial-empty-'));
    try {
      const file = join(directory, 'plan.yaml');
      await writeFile(file, 'version: 1\nscope:\n  dynamic: [127.80.8.0/24]\n  exclude: [127.80.0.0/16]\n');
      const result = await cli(['scan', '--plan', file, '--vantage', 'outside', '--out', join(directory, 'scan.ndjson'), '--quiet']);
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr.split('\n')[0]).to.match(/^port25-audit: \S/);
      expect(result.stderr).to.contain('scope.dynamic');
      expect(result.stderr).to.not.match(STACK_FRAME);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
