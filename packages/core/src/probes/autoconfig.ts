/**
 * P4.autoconfig: the Mozilla autoconfig document (config-v1.1.xml) a mail
 * client fetches for the domain of an address, in Thunderbird's order:
 *
 *  1. `https://autoconfig.DOMAIN/mail/config-v1.1.xml`;
 *  2. `https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml` (RFC 8615 well-known URI);
 *
 * each asked without and with `?emailaddress=` (a reserved-domain address,
 * RFC 2606), from each address of the host, on `ports.https`.
 *
 * Connections go through the scan's scope-guarded Dialer to addresses of the
 * plan's names only (the scan resolves `autoconfig.DOMAIN` and `DOMAIN`).
 * Redirects are followed at most {@link AUTOCONFIG_LIMITS}`.maxRedirects`
 * times, over https only, to hosts under DOMAIN that are names of the plan;
 * bodies are capped at 1 MiB; each request has the plan's dialog timeout.
 * The body is parsed with a real XML parser, DTDs refused (no entity expansion).
 */
import { isIP } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Target } from '../model.js';
import { httpsGet, type HttpsExchange, type RedirectDecision } from '../net/autoconfig-http.js';
import { addressesOf } from '../net/resolve.js';
import { loadTrustAnchors } from '../net/tls.js';
import { TOOL } from '../version.js';
import type {
  AutoconfigFetch,
  AutoconfigObservation,
  AutoconfigOutcome,
  ClientConfigDocument,
  OutgoingServerEntry,
} from './client-config-observation.js';
import { taskKey, type NameTable, type Probe, type ProbeContext, type Task, type TaskInput } from './probe.js';

/** The address sent as `?emailaddress=`: RFC 2606 reserves example.com, so no real mailbox is named. */
export const AUTOCONFIG_PROBE_ADDRESS = 'port25-audit@example.com';

/** Bounds of one autoconfig fetch. */
export const AUTOCONFIG_LIMITS = {
  /** 1 MiB: a config-v1.1.xml is a few kilobytes. */
  maxBytes: 1024 * 1024,
  /** Redirects followed at most. */
  maxRedirects: 5,
} as const;

/** An autoconfig task carries the scan's name table, so redirects can only reach the plan's names. */
export interface AutoconfigTask extends Task {
  probe: 'autoconfig';
  names: NameTable;
}

/** The autoconfig URLs of a mail domain: host and path, in the order clients ask them. */
export function autoconfigLocations(domain: string): { host: string; path: string }[] {
  return [
    { host: `autoconfig.${domain}`, path: '/mail/config-v1.1.xml' },
    { host: domain, path: '/.well-known/autoconfig/mail/config-v1.1.xml' },
  ];
}

/** A host name in one spelling: lower case, no trailing dot (RFC 4343). */
function bareName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** True when `host` is `domain` or a name under it. */
export function isUnderDomain(host: string, domain: string): boolean {
  const name = bareName(host);
  const base = bareName(domain);
  return name === base || name.endsWith(`.${base}`);
}

// ---------------------------------------------------------------- the document

const LISTS: ReadonlySet<string> = new Set(['emailProvider', 'outgoingServer', 'incomingServer', 'authentication', 'domain']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // No entity expansion at all: DTDs are refused before parsing, and the predefined entities stay as written.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => LISTS.has(name),
});

type XmlNode = Record<string, unknown>;

function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object') {
    const text = (value as XmlNode)['#text'];
    return text === undefined ? '' : textOf(text);
  }
  return null;
}

function firstText(node: XmlNode, name: string): string | null {
  const value = node[name];
  return textOf(Array.isArray(value) ? value[0] : value);
}

function nodes(node: XmlNode, name: string): XmlNode[] {
  const value = node[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((item) => (item !== null && typeof item === 'object' ? (item as XmlNode) : { '#text': item }));
}

function outgoingServer(node: XmlNode): OutgoingServerEntry {
  const portText = firstText(node, 'port');
  const port = portText !== null && /^\d{1,5}$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535 ? Number(portText) : null;
  return {
    type: textOf(node['@type']),
    hostname: firstText(node, 'hostname'),
    port,
    portText,
    socketType: firstText(node, 'socketType'),
    authentication: nodes(node, 'authentication').map((entry) => textOf(entry) ?? ''),
    username: firstText(node, 'username'),
  };
}

/**
 * Parses a config-v1.1.xml document (Mozilla autoconfig): the `<outgoingServer>`
 * entries of its `<emailProvider>`. Not well-formed XML gives the parser's
 * reason with line and column; a DOCTYPE is refused (no DTD, no entity
 * expansion); a root other than `<clientConfig>` is refused.
 *
 * @example
 * const parsed = parseClientConfig(xml);
 * if ('document' in parsed) parsed.document.outgoingServers.map((server) => server.port);
 */
export function parseClientConfig(xml: string): { document: ClientConfigDocument } | { error: string } {
  const text = xml.replace(/^\uFEFF/, '');
  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype !== null) {
    const line = text.slice(0, doctype.index).split('\n').length;
    return { error: `a DOCTYPE declaration at line ${line}: DTDs and entity declarations are refused` };
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { error: `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})` };
  let tree: XmlNode;
  try {
    tree = parser.parse(text) as XmlNode;
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const rootName = Object.keys(tree).find((key) => !key.startsWith('?') && !key.startsWith('#'));
  if (rootName !== 'clientConfig') {
    return { error: rootName === undefined ? 'the document has no root element' : `the root element is <${rootName}>, not <clientConfig>` };
  }
  const root = tree[rootName];
  const provider = nodes(root !== null && typeof root === 'object' ? (root as XmlNode) : {}, 'emailProvider')[0];
  if (provider === undefined) return { error: '<clientConfig> has no <emailProvider>' };
  return {
    document: {
      providerId: textOf(provider['@id']),
      domains: nodes(provider, 'domain').map((entry) => textOf(entry) ?? ''),
      outgoingServers: nodes(provider, 'outgoingServer').map(outgoingServer),
    },
  };
}

// ---------------------------------------------------------------- the probe

function fetchOf(exchange: HttpsExchange, emailAddress: string | null): AutoconfigFetch {
  const fetched: AutoconfigFetch = {
    url: exchange.url,
    emailAddress,
    outcome: exchange.outcome,
    reason: exchange.reason,
    status: exchange.status,
    hops: exchange.hops,
    finalUrl: exchange.finalUrl,
    contentType: exchange.contentType,
    bytes: exchange.body?.length ?? null,
    document: null,
    parseError: null,
  };
  const status = exchange.status ?? 0;
  if (exchange.outcome === 'response' && status >= 200 && status < 300 && exchange.body !== null) {
    const parsed = parseClientConfig(exchange.body.toString('utf8'));
    if ('document' in parsed) fetched.document = parsed.document;
    else fetched.parseError = parsed.error;
  }
  return fetched;
}

/** True for a fetch that found nothing to judge: 404/410, or nothing serving HTTPS at the address. */
function isUnpublished(fetched: Pick<AutoconfigFetch, 'outcome' | 'status'>): boolean {
  if (fetched.outcome === 'connect-failed') return true;
  return fetched.outcome === 'response' && (fetched.status === 404 || fetched.status === 410);
}

function outcomeOf(fetches: readonly AutoconfigFetch[]): AutoconfigOutcome {
  const published = (fetched: AutoconfigFetch): boolean =>
    fetched.outcome === 'response' && fetched.status !== null && fetched.status >= 200 && fetched.status < 300;
  if (fetches.some(published)) return 'published';
  if (fetches.every(isUnpublished)) return 'not-published';
  if (fetches.some((fetched) => fetched.outcome !== 'error' && !isUnpublished(fetched))) return 'failed';
  return 'error';
}

/** The redirect policy: https only, hosts under DOMAIN, and only names of the plan (their addresses are in scope). */
function redirectPolicy(domain: string, names: NameTable, httpsPort: number): (location: URL, from: Target) => RedirectDecision {
  return (location, from) => {
    if (location.protocol !== 'https:') return { refuse: `${location.protocol.replace(/:$/, '')} is not https` };
    const host = bareName(location.hostname);
    if (isIP(host.replace(/^\[|\]$/g, '')) !== 0 || !isUnderDomain(host, domain)) {
      return { refuse: `${host} is not under ${domain}` };
    }
    const known = [...names.keys()].find((name) => bareName(name) === host);
    const addresses = known === undefined ? [] : addressesOf(known, names);
    if (addresses.length === 0) {
      return { refuse: `${host} is not a name the plan resolves, so its addresses are not in scope` };
    }
    // The same address when the host has it (a redirect on one host), else one of the same family.
    const chosen = addresses.find((entry) => entry.address === from.address) ?? addresses.find((entry) => entry.family === from.family) ?? addresses[0]!;
    const port = location.port === '' ? httpsPort : Number(location.port);
    return { follow: { host, address: chosen.address, port, family: chosen.family } };
  };
}

/**
 * One task per address of `autoconfig.DOMAIN` and of `DOMAIN` on
 * `ports.https`; a name that did not resolve gives no task (its `dns`
 * observation is the evidence). Plan-level work: shard 0 only.
 */
export function* autoconfigTasks(input: TaskInput): Iterable<AutoconfigTask> {
  const domain = input.plan.submission.domain;
  if (domain === null || input.shard.index !== 0) return;
  const seen = new Set<string>();
  for (const { host } of autoconfigLocations(domain)) {
    for (const { address, family } of addressesOf(host, input.names)) {
      const target: Target = { host, address, port: input.plan.ports.https, family };
      const key = taskKey('autoconfig', target);
      if (seen.has(key)) continue;
      seen.add(key);
      yield { probe: 'autoconfig', target, names: input.names };
    }
  }
}

/** Both vantages: what a customer's client and what the world see may differ. */
const AUTOCONFIG_VANTAGES = ['outside', 'inside'] as const;

/** The autoconfig probe (id `autoconfig`). */
export const autoconfigProbe: Probe = {
  id: 'autoconfig',
  vantages: AUTOCONFIG_VANTAGES,
  tasks: autoconfigTasks,
  async run(task: Task, ctx: ProbeContext): Promise<AutoconfigObservation> {
    const startedAt = ctx.now().toISOString();
    const started = performance.now();
    const host = task.target.host ?? task.target.address;
    const domain = ctx.plan.submission.domain ?? host;
    const location = autoconfigLocations(domain).find((candidate) => bareName(candidate.host) === bareName(host)) ?? autoconfigLocations(domain)[0]!;
    const names: NameTable = (task as Partial<AutoconfigTask>).names ?? new Map([[host, { addresses: [{ address: task.target.address, family: task.target.family }] }]]);
    const observation: AutoconfigObservation = {
      type: 'observation',
      probe: 'autoconfig',
      target: task.target,
      vantage: ctx.vantage,
      startedAt,
      ms: 0,
      outcome: 'error',
      domain,
      fetches: [],
    };
    let ca: string[];
    try {
      ca = await loadTrustAnchors(ctx.plan.tls.caFile);
    } catch (error) {
      observation.errorCode = 'CA_FILE';
      observation.reason = error instanceof Error ? error.message : String(error);
      observation.ms = Math.round((performance.now() - started) * 10) / 10;
      return observation;
    }
    for (const emailAddress of [null, AUTOCONFIG_PROBE_ADDRESS]) {
      const url = new URL(`https://${location.host}${location.path}`);
      if (emailAddress !== null) url.searchParams.set('emailaddress', emailAddress);
      const exchange = await httpsGet(url, task.target, {
        dial: ctx.dial,
        ca,
        connectTimeoutMs: ctx.plan.probe.connectTimeoutMs,
        timeoutMs: ctx.plan.probe.dialogTimeoutMs,
        maxBytes: AUTOCONFIG_LIMITS.maxBytes,
        maxRedirects: AUTOCONFIG_LIMITS.maxRedirects,
        signal: ctx.signal,
        redirect: redirectPolicy(domain, names, ctx.plan.ports.https),
        headers: { 'User-Agent': `${TOOL.name}/${TOOL.version}`, Accept: 'application/xml, text/xml;q=0.9, */*;q=0.1' },
      });
      observation.fetches.push(fetchOf(exchange, emailAddress));
    }
    observation.outcome = outcomeOf(observation.fetches);
    if (observation.outcome === 'error') {
      const failed = observation.fetches.find((fetched) => fetched.outcome === 'error');
      observation.errorCode = failed?.hops.at(-1)?.errorCode ?? 'EHTTP';
      observation.reason = failed?.reason ?? null;
    }
    observation.ms = Math.round((performance.now() - started) * 10) / 10;
    return observation;
  },
};
