/**
 * SMTP replies and EHLO capabilities as data: parsing only, no I/O.
 */

/** One complete SMTP reply, its lines joined (RFC 5321 §4.2.1). */
export interface SmtpReply {
  /** The three-digit reply code. */
  code: number;
  /** The text of each line after the code and its separator; '' for a bare code. */
  lines: string[];
  /** The lines' text joined with '\n'. */
  text: string;
  /** True when a line was a bare code with no text, which RFC 5321 §4.2 allows. */
  bare: boolean;
  /** The RFC 3463 enhanced status code the text starts with (`5.7.0`), or null. */
  enhancedCode: string | null;
}

/** A reply line: three digits, then SP, `-` or the end of the line (RFC 5321 §4.2). */
const REPLY_LINE = /^([2-5][0-9][0-9])(?:([ -])(.*))?$/s;
/** RFC 3463 §2: class.subject.detail, class 2, 4 or 5. */
const ENHANCED_CODE = /^([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/;

/**
 * Whether `line` ends a reply: `ddd text`, a bare `ddd` (RFC 5321 §4.2), or a
 * line that is no reply line at all (the peer does not speak SMTP; the reply
 * ends there so it can be reported instead of waited for).
 *
 * @example
 * isLastReplyLine('250-PIPELINING') // false
 * isLastReplyLine('250') // true
 */
export function isLastReplyLine(line: string): boolean {
  const match = REPLY_LINE.exec(line);
  return match === null || match[2] !== '-';
}

/**
 * Joins the raw lines of one reply. Returns a string describing the problem when
 * the lines are not one well-formed reply: a line without a reply code, or lines
 * whose codes differ (RFC 5321 §4.2.1 requires one code per reply).
 *
 * @example
 * parseReply(['250-mail.example.net', '250 STARTTLS']).code // 250
 */
export function parseReply(rawLines: readonly string[]): SmtpReply | string {
  if (rawLines.length === 0) return 'no reply line';
  let code = -1;
  const lines: string[] = [];
  let bare = false;
  for (const raw of rawLines) {
    const match = REPLY_LINE.exec(raw);
    if (match === null) return `not an SMTP reply line: ${quoteForMessage(raw)}`;
    const lineCode = Number(match[1]);
    if (code !== -1 && lineCode !== code) return `reply codes differ within one reply (${code}, then ${lineCode})`;
    code = lineCode;
    const text = match[3] ?? '';
    if (match[2] === undefined || text === '') bare = true;
    lines.push(text);
  }
  const enhanced = ENHANCED_CODE.exec(lines[0] ?? '');
  return { code, lines, text: lines.join('\n'), bare, enhancedCode: enhanced?.[1] ?? null };
}

/** A peer's text inside a message: at most 80 characters, control characters shown as escapes. */
export function quoteForMessage(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(shown);
}

/** Reply classes of RFC 5321 §4.2.1: positive completion, intermediate, transient and permanent negative. */
export function isPositive(reply: Pick<SmtpReply, 'code'>): boolean {
  return reply.code >= 200 && reply.code < 300;
}

// ---------------------------------------------------------------- EHLO

/** What a server offers in its EHLO reply (RFC 5321 §4.1.1.1 and the extensions' RFCs). */
export interface EhloCapabilities {
  /** The domain the server named in the first line of its EHLO reply, or '' (HELO, bare line). */
  domain: string;
  /** The extension keywords, upper-cased, in the order offered. */
  keywords: string[];
  /** Each extension line as the server sent it. */
  extensions: string[];
  /** RFC 3207. */
  starttls: boolean;
  /** RFC 4954 §3: AUTH is offered (possibly with no mechanism). */
  authAdvertised: boolean;
  /** SASL mechanisms offered with AUTH (also the old `AUTH=` form), upper-cased, no duplicates. */
  auth: string[];
  /** RFC 1870 SIZE limit in octets; null when absent or given without a number. */
  size: number | null;
  /** RFC 2920. */
  pipelining: boolean;
  /** RFC 6152. */
  eightBitMime: boolean;
  /** RFC 6531. */
  smtpUtf8: boolean;
  /** RFC 2034. */
  enhancedStatusCodes: boolean;
  /** RFC 3030. */
  chunking: boolean;
  /** RFC 3461. */
  dsn: boolean;
  /** RFC 8689. */
  requireTls: boolean;
}

/** The capabilities of a server that answered HELO (RFC 5321 §4.1.1.1: HELO offers no extensions). */
export function noCapabilities(domain = ''): EhloCapabilities {
  return {
    domain,
    keywords: [],
    extensions: [],
    starttls: false,
    authAdvertised: false,
    auth: [],
    size: null,
    pipelining: false,
    eightBitMime: false,
    smtpUtf8: false,
    enhancedStatusCodes: false,
    chunking: false,
    dsn: false,
    requireTls: false,
  };
}

/**
 * Reads the capabilities of an EHLO reply: the first line names the server,
 * each further line is `keyword [params]` (RFC 5321 §4.1.1.1). Keywords are
 * case-insensitive; `AUTH=LOGIN PLAIN` is the pre-standard form of AUTH that
 * some servers still send.
 *
 * @example
 * parseEhloCapabilities(parseReply(['250-mx', '250-AUTH PLAIN LOGIN', '250 STARTTLS']) as SmtpReply).auth // ['PLAIN', 'LOGIN']
 */
export function parseEhloCapabilities(reply: SmtpReply): EhloCapabilities {
  const [first = '', ...rest] = reply.lines;
  const capabilities = noCapabilities(first.split(' ')[0] ?? '');
  const mechanisms = new Set<string>();
  for (const line of rest) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    capabilities.extensions.push(line);
    const [word = '', ...params] = trimmed.split(/\s+/);
    let keyword = word.toUpperCase();
    if (keyword.startsWith('AUTH=')) {
      params.unshift(keyword.slice('AUTH='.length));
      keyword = 'AUTH';
    }
    if (!capabilities.keywords.includes(keyword)) capabilities.keywords.push(keyword);
    switch (keyword) {
      case 'STARTTLS':
        capabilities.starttls = true;
        break;
      case 'AUTH':
        capabilities.authAdvertised = true;
        for (const mechanism of params) if (mechanism !== '') mechanisms.add(mechanism.toUpperCase());
        break;
      case 'SIZE': {
        const size = params[0] !== undefined && /^\d+$/.test(params[0]) ? Number(params[0]) : null;
        capabilities.size = size;
        break;
      }
      case 'PIPELINING':
        capabilities.pipelining = true;
        break;
      case '8BITMIME':
        capabilities.eightBitMime = true;
        break;
      case 'SMTPUTF8':
        capabilities.smtpUtf8 = true;
        break;
      case 'ENHANCEDSTATUSCODES':
        capabilities.enhancedStatusCodes = true;
        break;
      case 'CHUNKING':
        capabilities.chunking = true;
        break;
      case 'DSN':
        capabilities.dsn = true;
        break;
      case 'REQUIRETLS':
        capabilities.requireTls = true;
        break;
    }
  }
  capabilities.auth = [...mechanisms];
  return capabilities;
}
