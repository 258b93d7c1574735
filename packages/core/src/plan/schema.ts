/**
 * The audit plan as written by a user (the input side): one zod source for
 * validation, for the error messages and for the JSON Schema editors use.
 *
 * Every object is strict (an unknown key is an error, with the closest known key
 * suggested). Every field but `version` is optional, and an empty value (`hosts:`
 * with nothing after it, or `null`) means the same as leaving the field out.
 */
import * as z from 'zod';
import type { Plan } from '../model.js';
import {
  addressOrRangeProblem,
  addressProblem,
  cidrProblem,
  freeTextProblem,
  hostNameProblem,
  hostOrAddressProblem,
  resolverProblem,
  showValue,
} from './fields.js';
import { unknownKeyReasons } from './problems.js';

/** The defaults of DESIGN.md: what a plan means where it says nothing. */
export const PLAN_DEFAULTS = {
  name: 'Unnamed plan',
  scope: { dynamic: [], hosts: [], exclude: [] },
  authorizedRelays: [],
  submission: { servers: [], domain: null },
  external: { mx: [], submission: [] },
  sample: { size: 256, seed: 1 },
  ports: { smtp: 25, submission: 587, submissions: 465, https: 443 },
  probe: {
    concurrency: 256,
    rate: 0,
    connectTimeoutMs: 3000,
    dialogTimeoutMs: 15000,
    // RFC 2606 reserves example.net: the default claims no one's real name; plans should set their own.
    ehloName: 'audit.example.net',
  },
  dns: { servers: [] },
  tls: { caFile: null },
  credentials: null,
  attestations: { P4: null },
} as const satisfies Omit<Plan, 'version'>;

type ErrorInput = { input?: unknown; code?: string };

/** Error text for a value of the wrong type or out of bounds: `"x" is not <what>`, or `is required`. */
function isNot(what: string) {
  return (issue: ErrorInput): string => (issue.input === undefined ? 'is required' : `${showValue(issue.input)} is not ${what}`);
}

/** A string judged by one of the judges of fields.ts. */
function judgedText(what: string, judge: (text: string) => string | null) {
  return z.string({ error: isNot(what) }).superRefine((text, context) => {
    const reason = judge(text);
    if (reason !== null) context.addIssue({ code: 'custom', message: `${showValue(text)} ${reason}`, input: text });
  });
}

function text(what: string) {
  return z
    .string({ error: isNot(what) })
    .min(1, { error: 'is empty' })
    .superRefine(refineFreeText);
}

function refineFreeText(text: string, context: z.RefinementCtx<string>): void {
  const reason = freeTextProblem(text);
  if (reason !== null) context.addIssue({ code: 'custom', message: `${showValue(text)} ${reason}`, input: text });
}

/** Largest timer delay Node honours: a longer one fires at once (setTimeout's 32-bit signed limit). */
export const TIMEOUT_LIMIT_MS = 2 ** 31 - 1;
/** Slowest rate other than unlimited: one connection every 11.6 days, still a delay setTimeout can keep. */
export const RATE_MINIMUM = 0.000001;

/** A strict mapping: unknown keys are refused with the closest known key suggested. */
function mapping<Shape extends z.ZodRawShape>(shape: Shape, sections?: ReadonlyMap<string, readonly string[]>) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return unknownKeyReasons(issue.keys, known, sections).join('\n');
      return isNot(`a mapping (expected keys: ${known.join(', ')})`)(issue);
    },
  });
}

/** A value as a YAML flow item: bare when it is a plain word (an IPv4 range, a name), else quoted and escaped. */
function listItemText(value: string): string {
  return /^[\w./@+-]{1,80}$/.test(value) ? value : showValue(value);
}

function list<Item extends z.ZodType>(item: Item, example: string) {
  return z.array(item, {
    error: (issue) =>
      typeof issue.input === 'string'
        ? `${showValue(issue.input)} is not a list (write [${listItemText(issue.input)}], or one "- ${example}" line per item)`
        : isNot('a list')(issue),
  });
}

/** Optional with a default; null (an empty YAML value) means the same as absent. */
function withDefault<Schema extends z.ZodType>(schema: Schema, fallback: z.output<Schema> | null, description: string) {
  return schema.nullable().default(fallback as never).describe(description);
}

const portNumber = () => {
  const error = isNot('a port (an integer from 1 to 65535)');
  return z.number({ error }).int({ error }).min(1, { error }).max(65535, { error });
};
const positiveInteger = (what: string) => {
  const error = isNot(what);
  return z.number({ error }).int({ error }).min(1, { error });
};
const timeout = () => {
  const what = `a timeout (milliseconds, from 1 to ${TIMEOUT_LIMIT_MS})`;
  return positiveInteger(what).max(TIMEOUT_LIMIT_MS, { error: isNot(what) });
};

const cidrRange = judgedText('a CIDR range', cidrProblem).describe(
  'A CIDR range with no host bits set, e.g. 203.0.113.0/24 or 2001:db8:100::/56; every address counts, network and broadcast included.',
);
const addressOrRange = judgedText('an address or a CIDR range', addressOrRangeProblem).describe(
  'An IP address or a CIDR range.',
);
const address = judgedText('an IP address', addressProblem).describe('An IPv4 or IPv6 address.');
const hostName = judgedText('a host name', hostNameProblem);
const hostOrAddress = judgedText('a host name or an IP address', hostOrAddressProblem);
const environmentName = z
  .string({ error: isNot('an environment variable name') })
  .regex(/^[A-Z_][A-Z0-9_]*$/, {
    error: (issue) => `${showValue(issue.input)} is not an environment variable name (capitals, digits and _, e.g. P25_USER)`,
  });

const canaryObject = mapping({
  host: hostOrAddress.describe('Host name or address of the canary.'),
  port: portNumber().nullish().describe('Port; by default ports.smtp for external.mx, ports.submission for external.submission.'),
  expect: text('a text')
    .nullish()
    .describe('Text the canary\'s own greeting contains; by default its host name, none for an address (then interception cannot be judged).'),
});

const canary = z
  .union([hostOrAddress, canaryObject], {
    error: (issue) =>
      issue.code === 'invalid_union' ? isNot('a host name, an address or a mapping {host, port, expect}')(issue) : undefined,
  })
  .describe('A canary: a host name or address, or {host, port, expect}.');

const attestation = mapping({
  text: text('a text').describe('What the auditor attests, e.g. which customer guides and CPE profiles were reviewed.'),
  url: z
    .httpUrl({ error: isNot('an http(s) URL') })
    .superRefine(refineFreeText)
    .nullish()
    .describe('Where the evidence can be seen.'),
  date: z.iso
    .date({ error: isNot('a date (YYYY-MM-DD)') })
    .nullish()
    .describe('When it was attested (YYYY-MM-DD).'),
  who: text('a text').nullish().describe('Who attests it.'),
});

/** Keys of the sections (`dynamic` → `scope`), to tell a user whose indentation put a key at the top level. */
const sectionsOfKey = new Map<string, string[]>();

/** The plan as a user writes it (YAML or JSON). */
export const planInputSchema = mapping({
  version: z
    .literal(1, {
      error: (issue) =>
        issue.input === undefined
          ? 'is required (a plan starts with "version: 1")'
          : `${showValue(issue.input)} is not a supported plan version (this port25-audit reads version 1)`,
    })
    .describe('Plan format version; always 1.'),
  name: withDefault(text('a text'), PLAN_DEFAULTS.name, 'Name of the audit, shown in reports.'),
  scope: withDefault(
    mapping({
      dynamic: withDefault(list(cidrRange, '203.0.113.0/24'), [], 'Residential/dynamic ranges (CIDR): the P6 sample is drawn from them.'),
      hosts: withDefault(list(address, '203.0.113.7'), [], 'Explicit addresses probed always (IPv6 hit lists, DHCP leases).'),
      exclude: withDefault(list(addressOrRange, '203.0.113.0/28'), [], 'Addresses or ranges never probed for P6.'),
    }),
    PLAN_DEFAULTS.scope,
    'What the P6 inbound check samples: scope.dynamic plus scope.hosts, minus scope.exclude and authorizedRelays.',
  ),
  authorizedRelays: withDefault(
    list(addressOrRange, '203.0.113.10'),
    [],
    'Addresses or ranges that may send and receive on port 25 (the ISP\'s relays).',
  ),
  submission: withDefault(
    mapping({
      servers: withDefault(list(hostOrAddress, 'smtp.example.net'), [], 'The ISP\'s mail submission servers (P1, P2).'),
      domain: withDefault(hostName, null, 'Mail domain whose SRV records and autoconfig are checked (P4).'),
    }),
    PLAN_DEFAULTS.submission,
    'The ISP\'s mail submission service.',
  ),
  external: withDefault(
    mapping({
      mx: withDefault(list(canary, 'mx.example.org'), [], 'External MX canaries: must be unreachable on port 25 from inside (P5).'),
      submission: withDefault(list(canary, 'smtp.example.org'), [], 'External submission canaries: must be reachable on 587 from inside (P3).'),
    }),
    PLAN_DEFAULTS.external,
    'Canaries outside the network, probed from the inside vantage.',
  ),
  sample: withDefault(
    mapping({
      size: withDefault(
        positiveInteger('a sample size (a positive integer)').max(Number.MAX_SAFE_INTEGER, {
          error: isNot('a sample size (a positive integer)'),
        }),
        PLAN_DEFAULTS.sample.size,
        'Addresses drawn from the ranges; at or above the number in scope, a census.',
      ),
      seed: withDefault(
        z.number({ error: isNot('an integer seed') }).int({ error: isNot('an integer seed') }),
        PLAN_DEFAULTS.sample.seed,
        'Seed of the sample: the same seed draws the same addresses on any machine.',
      ),
    }),
    PLAN_DEFAULTS.sample,
    'The seeded sample of the dynamic ranges (without replacement).',
  ),
  ports: withDefault(
    mapping({
      smtp: withDefault(portNumber(), PLAN_DEFAULTS.ports.smtp, 'SMTP port (RFC 5321).'),
      submission: withDefault(portNumber(), PLAN_DEFAULTS.ports.submission, 'Submission port (RFC 6409).'),
      submissions: withDefault(portNumber(), PLAN_DEFAULTS.ports.submissions, 'Submission over implicit TLS (RFC 8314).'),
      https: withDefault(portNumber(), PLAN_DEFAULTS.ports.https, 'HTTPS port where P4 fetches Mozilla autoconfig.'),
    }),
    PLAN_DEFAULTS.ports,
    'Ports probed; labs may remap them.',
  ),
  probe: withDefault(
    mapping({
      concurrency: withDefault(positiveInteger('a concurrency (a positive integer)'), PLAN_DEFAULTS.probe.concurrency, 'Connections in flight at once.'),
      rate: withDefault(
        z
          .number({ error: isNot(`a rate (connections per second: 0 for unlimited, else at least ${RATE_MINIMUM})`) })
          .min(0, { error: isNot(`a rate (connections per second: 0 for unlimited, else at least ${RATE_MINIMUM})`) })
          .refine((rate) => rate === 0 || rate >= RATE_MINIMUM, {
            error: isNot(`a rate (connections per second: 0 for unlimited, else at least ${RATE_MINIMUM})`),
          }),
        PLAN_DEFAULTS.probe.rate,
        `New connections per second; 0 means unlimited, else at least ${RATE_MINIMUM} (fractions allowed).`,
      ),
      connectTimeoutMs: withDefault(
        timeout(),
        PLAN_DEFAULTS.probe.connectTimeoutMs,
        'TCP connect timeout in milliseconds; a timeout counts as filtered.',
      ),
      dialogTimeoutMs: withDefault(
        timeout(),
        PLAN_DEFAULTS.probe.dialogTimeoutMs,
        'Wall-clock limit of one SMTP dialog in milliseconds.',
      ),
      ehloName: withDefault(hostName, PLAN_DEFAULTS.probe.ehloName, 'Name the prober gives in EHLO (RFC 5321 §4.1.1.1).'),
    }),
    PLAN_DEFAULTS.probe,
    'How hard and how long to probe.',
  ),
  dns: withDefault(
    mapping({
      servers: withDefault(
        list(judgedText('a resolver address', resolverProblem), '192.0.2.53'),
        [],
        'Resolvers to use instead of the system\'s: address, address:port or [v6]:port.',
      ),
    }),
    PLAN_DEFAULTS.dns,
    'Name resolution.',
  ),
  tls: withDefault(
    mapping({
      caFile: withDefault(text('a file name'), null, 'PEM file of CA certificates trusted in addition to the system roots.'),
    }),
    PLAN_DEFAULTS.tls,
    'Certificate verification.',
  ),
  credentials: withDefault(
    mapping({
      userEnv: environmentName.describe('Environment variable holding the user name.'),
      passwordEnv: environmentName.describe('Environment variable holding the password (never written anywhere).'),
    }),
    null,
    'Names of environment variables with submission credentials, for P2.auth-works.',
  ),
  attestations: withDefault(
    mapping({
      P4: withDefault(attestation, null, 'Attestation that customers\' mail clients are configured for 587 with authentication.'),
    }),
    PLAN_DEFAULTS.attestations,
    'An auditor\'s attestations for what cannot be probed.',
  ),
}, sectionsOfKey);

for (const [section, field] of Object.entries(planInputSchema.shape)) {
  let inner: z.ZodType = field;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType;
  if (!(inner instanceof z.ZodObject)) continue;
  for (const key of Object.keys(inner.shape)) {
    if (key in planInputSchema.shape) continue;
    sectionsOfKey.set(key, [...(sectionsOfKey.get(key) ?? []), section]);
  }
}

/** A plan after validation, before canonical forms and canary defaults. */
export type PlanInput = z.output<typeof planInputSchema>;
