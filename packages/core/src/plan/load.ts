/**
 * Reading a plan file: bounded, text only, YAML or JSON, with syntax errors
 * located (`plan.yaml:12:3: <reason>`) and YAML alias bombs refused.
 */
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isCollection, isScalar, Lexer, LineCounter, parseDocument, visit } from 'yaml';
import type { Plan } from '../model.js';
import { planDigest } from './digest.js';
import { normalizePlan } from './normalize.js';
import { unreadablePlan } from './problems.js';

// jsonc-parser ships UMD marked __esModule: require() gives its functions under every loader (node, tsx).
const jsonc = createRequire(import.meta.url)('jsonc-parser') as typeof import('jsonc-parser');

/** A validated plan with its digest and the file it came from (as the user named it). */
export interface LoadedPlan {
  plan: Plan;
  digest: string;
  file: string;
}

/** Largest plan accepted: a plan is a page of settings, not a data set; hit lists this size belong in ranges. */
export const PLAN_SIZE_LIMIT = 1024 * 1024;
/** YAML alias expansions allowed: enough for any real plan, far too few for a "billion laughs" document. */
export const PLAN_ALIAS_LIMIT = 100;
/**
 * Deepest nesting of lists and mappings accepted. A plan nests four deep
 * (`external.mx[0].host`); a document nested thousands deep would overflow the
 * parsers' stacks instead of getting an answer.
 */
export const PLAN_NESTING_LIMIT = 32;

function fileSystemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file (port25-audit init --out FILE writes an annotated plan)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (the plan must be readable by this user)';
    case 'EISDIR':
      return 'is a directory, not a plan file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return `cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`;
  }
}

function tooLarge(file: string): Error {
  return unreadablePlan(file, [`${file}: is larger than ${PLAN_SIZE_LIMIT / 1024} KiB; a plan names ranges, not every address`]);
}

async function readBounded(file: string): Promise<Buffer> {
  // An unset variable (`--plan "$PLAN"`) gives an empty name; "": no such file would not say so.
  if (file === '') throw unreadablePlan('(no file name)', ['the plan file name is empty: name a YAML or JSON plan file']);
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw unreadablePlan(file, [`${file}: ${fileSystemReason(error)}`], error);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw unreadablePlan(file, [`${file}: is a directory, not a plan file`]);
    if (stat.isFile() && stat.size > PLAN_SIZE_LIMIT) throw tooLarge(file);
    // Read at most one byte past the limit: a device or pipe has no size to check beforehand.
    const buffer = Buffer.alloc(PLAN_SIZE_LIMIT + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > PLAN_SIZE_LIMIT) throw tooLarge(file);
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof Error && error.name === 'Port25Error') throw error;
    throw unreadablePlan(file, [`${file}: ${fileSystemReason(error)}`], error);
  } finally {
    await handle.close();
  }
}

/**
 * True for UTF-16 text, with a byte order mark or without one (Windows editors
 * write both): mostly ASCII, so one byte of nearly every pair is zero.
 */
function looksLikeUtf16(bytes: Buffer): boolean {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return true;
  const pairs = Math.min(bytes.length, 512) >> 1;
  if (pairs < 2) return false;
  let zeroFirst = 0;
  let zeroSecond = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (bytes[i] === 0) zeroFirst += 1;
    if (bytes[i + 1] === 0) zeroSecond += 1;
  }
  const most = pairs * 0.9;
  const few = pairs * 0.1;
  return (zeroFirst >= most && zeroSecond <= few) || (zeroSecond >= most && zeroFirst <= few);
}

/** Decodes plan bytes as UTF-8 text, refusing binary files and other encodings. */
function decodePlanText(bytes: Buffer, file: string): string {
  if (bytes.includes(0)) {
    const utf16 = looksLikeUtf16(bytes);
    throw unreadablePlan(file, [
      utf16 ? `${file}: is UTF-16 text; save it as UTF-8` : `${file}: is a binary file (it contains NUL bytes), not a YAML or JSON plan`,
    ]);
  }
  if (!isUtf8(bytes)) {
    let line = 1;
    let start = 0;
    for (let end = bytes.indexOf(0x0a); ; end = bytes.indexOf(0x0a, start)) {
      if (!isUtf8(bytes.subarray(start, end < 0 ? bytes.length : end))) break;
      if (end < 0) break;
      start = end + 1;
      line += 1;
    }
    throw unreadablePlan(file, [`${file}:${line}: is not UTF-8 text (line ${line} has other bytes); save the plan as UTF-8`]);
  }
  return bytes.toString('utf8');
}

/** `line:column` (1-based) of an offset, from the newlines the YAML parser counted. */
function position(lineStarts: LineCounter, offset: number): string {
  const { line, col } = lineStarts.linePos(offset);
  return `${line}:${col}`;
}

/** `line:column` (1-based) of an offset in a text. */
function textPosition(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let newline = text.indexOf('\n'); newline >= 0 && newline < offset; newline = text.indexOf('\n', newline + 1)) {
    line += 1;
    lineStart = newline + 1;
  }
  return `${line}:${offset - lineStart + 1}`;
}

/**
 * A parser's message as one printable line: it may quote the document, and a
 * plan's stray carriage return or escape byte must neither break the line nor
 * reach the terminal.
 */
function oneLine(message: string): string {
  return message
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (control) => `\\u${control.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .trim();
}

const JSON_ERROR_REASONS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ',' (or the end of the object or array)",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected text after the end of the JSON document',
  InvalidCommentToken: 'comments are not allowed in JSON (use YAML for a commented plan)',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape in a string',
  InvalidCharacter: 'control character in a string (escape it)',
};

function tooDeep(file: string, where: string): Error {
  return unreadablePlan(file, [
    `${file}${where}: nests lists and mappings more than ${PLAN_NESTING_LIMIT} deep; a plan nests at most 4 (external.mx[0].host)`,
  ]);
}

/**
 * Offset of the first `[` or `{` nested deeper than {@link PLAN_NESTING_LIMIT} in
 * JSON text, or -1: checked before parsing, because the JSON parser recurses once per level.
 */
function jsonNestingExcess(text: string): number {
  let depth = 0;
  for (let offset = 0; offset < text.length; offset += 1) {
    const character = text.charCodeAt(offset);
    if (character === 0x22) {
      // Skip a string: brackets inside it are text. An unterminated string is the parser's to report.
      for (offset += 1; offset < text.length && text.charCodeAt(offset) !== 0x22; offset += 1) {
        if (text.charCodeAt(offset) === 0x5c) offset += 1;
      }
    } else if (character === 0x5b || character === 0x7b) {
      depth += 1;
      if (depth > PLAN_NESTING_LIMIT) return offset;
    } else if (character === 0x5d || character === 0x7d) {
      depth -= 1;
    }
  }
  return -1;
}

/** Parses JSON strictly (RFC 8259), reporting the first syntax error, or every duplicate key, at line:col. */
function parseJsonDocument(text: string, file: string): unknown {
  const excess = jsonNestingExcess(text);
  if (excess >= 0) throw tooDeep(file, `:${textPosition(text, excess)}`);
  const problems: string[] = [];
  let syntaxError: string | null = null;
  const keysOfObjects: Set<string>[] = [];
  jsonc.visit(
    text,
    {
      onObjectBegin: () => {
        keysOfObjects.push(new Set());
      },
      onObjectEnd: () => {
        keysOfObjects.pop();
      },
      onObjectProperty: (key, offset) => {
        const keys = keysOfObjects[keysOfObjects.length - 1];
        if (keys === undefined) return;
        // RFC 8259 §4: names SHOULD be unique; a repeated key silently overriding the first is how typos hide.
        if (keys.has(key)) problems.push(`${file}:${textPosition(text, offset)}: duplicate key ${JSON.stringify(key)}`);
        keys.add(key);
      },
      onError: (error, offset, length) => {
        // Errors after the first are the parser recovering from it, not the author's mistakes.
        if (syntaxError !== null) return;
        const reason = JSON_ERROR_REASONS[jsonc.printParseErrorCode(error)] ?? jsonc.printParseErrorCode(error);
        const found = length > 0 ? ` (found ${JSON.stringify(text.slice(offset, offset + Math.min(length, 20)))})` : '';
        syntaxError = `${file}:${textPosition(text, offset)}: ${reason}${found}`;
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  if (syntaxError !== null) throw unreadablePlan(file, [syntaxError]);
  if (problems.length > 0) throw unreadablePlan(file, problems);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw unreadablePlan(file, [`${file}: ${oneLine(error instanceof Error ? error.message : String(error))}`], error);
  }
}

/** Lexer tokens that mark structure and stand for no source text (yaml's DOCUMENT, FLOW_END, SCALAR). */
const YAML_MARKER_TOKENS = new Set(['\x02', '\x18', '\x1f']);

/**
 * Offset of the first flow `[` or `{` nested deeper than {@link PLAN_NESTING_LIMIT}
 * in YAML text, or -1. The lexer is iterative and knows quoted and plain text, so
 * this is exact; the parser after it recurses per level and would overflow its stack.
 * (Block nesting costs indentation, so the size limit bounds it.)
 */
function yamlFlowNestingExcess(text: string): number {
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      depth += 1;
      if (depth > PLAN_NESTING_LIMIT) return offset;
    } else if (token === ']' || token === '}') {
      depth -= 1;
    }
    if (!YAML_MARKER_TOKENS.has(token)) offset += token.length;
  }
  return -1;
}

function parseYamlDocument(text: string, file: string): unknown {
  const excess = yamlFlowNestingExcess(text);
  if (excess >= 0) throw tooDeep(file, `:${textPosition(text, excess)}`);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    // Duplicate keys are found below in one pass: the parser's own check compares each key with every other.
    uniqueKeys: false,
    strict: true,
    // YAML 1.1 tags (!!binary, !!set, !!timestamp) would yield Buffers, Sets and Dates no plan field takes.
    resolveKnownTags: false,
  });
  // Warnings (unresolved tags) are errors here: a plan has no use for them.
  const problems = [...document.errors, ...document.warnings].map((problem) => {
    const reason =
      problem.code === 'MULTIPLE_DOCS'
        ? 'a plan is one YAML document; remove the second "---"'
        : problem.message.includes('call stack')
          ? `nests lists and mappings too deep; a plan nests at most 4 (external.mx[0].host)`
          : oneLine(problem.message);
    return `${file}:${position(lineCounter, problem.pos[0])}: ${reason}`;
  });
  if (problems.length > 0) throw unreadablePlan(file, [...new Set(problems)]);
  visit(document, {
    Map: (_, map) => {
      // YAML 1.2 §3.2.1.1: keys of a mapping are unique; a repeated key silently overriding the first is how typos hide.
      const keys = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (keys.has(key)) problems.push(`${file}:${position(lineCounter, pair.key.range?.[0] ?? 0)}: duplicate key ${JSON.stringify(key)}`);
        keys.add(key);
      }
    },
    Pair: (_, pair) => {
      // A list or mapping as a key (`? [a, b]`) has no place in a plan and would be stringified.
      if (isCollection(pair.key)) {
        problems.push(`${file}:${position(lineCounter, pair.key.range?.[0] ?? 0)}: a key must be plain text, not a list or mapping`);
      }
    },
  });
  if (problems.length > 0) throw unreadablePlan(file, problems);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: PLAN_ALIAS_LIMIT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = /alias/i.test(message)
      ? `expands more than ${PLAN_ALIAS_LIMIT} YAML aliases; refusing a possible "billion laughs" document`
      : oneLine(message);
    throw unreadablePlan(file, [`${file}: ${reason}`], error);
  }
  checkNesting(value, file);
  return value;
}

/**
 * Refuses a parsed document nested deeper than {@link PLAN_NESTING_LIMIT}, or
 * holding itself (a YAML alias inside the node it names): nothing downstream
 * has to guard its recursion. Each list or mapping is measured once, so shared
 * aliased nodes cost nothing extra.
 */
function checkNesting(document: unknown, file: string): void {
  const heights = new Map<object, number>();
  const open = new Set<object>();
  const height = (value: unknown, depth: number): number => {
    if (typeof value !== 'object' || value === null) return 0;
    if (open.has(value)) {
      throw unreadablePlan(file, [`${file}: a YAML alias refers to a list or mapping that contains it; write the value out instead`]);
    }
    const known = heights.get(value);
    if (known !== undefined) {
      if (depth + known > PLAN_NESTING_LIMIT) throw tooDeep(file, '');
      return known;
    }
    if (depth + 1 > PLAN_NESTING_LIMIT) throw tooDeep(file, '');
    open.add(value);
    let tallest = 0;
    for (const child of Object.values(value)) tallest = Math.max(tallest, height(child, depth + 1));
    open.delete(value);
    heights.set(value, tallest + 1);
    return tallest + 1;
  };
  height(document, 0);
}

/** JSON when the file says so (`.json`), or when an unnamed or oddly named file starts like JSON. */
function looksLikeJson(text: string, file: string): boolean {
  if (/\.json$/i.test(file)) return true;
  if (/\.ya?ml$/i.test(file)) return false;
  return /^\s*\{/.test(text);
}

/**
 * Parses and validates a plan from text (YAML, or JSON, which is YAML too; JSON
 * syntax errors are reported as JSON errors).
 *
 * @param file how the user named the plan; it starts every error line.
 * @throws Port25Error PLAN_UNREADABLE for text that does not parse
 *   (`plan.yaml:12:3: <reason>`), PLAN_INVALID for a plan that does not validate.
 * @example parsePlan('version: 1\nname: Lab\n', 'plan.yaml').plan.name // 'Lab'
 */
export function parsePlan(text: string, file: string): LoadedPlan {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (Buffer.byteLength(body, 'utf8') > PLAN_SIZE_LIMIT) throw tooLarge(file);
  if (body.includes('\0')) {
    throw unreadablePlan(file, [`${file}: is a binary file (it contains NUL bytes), not a YAML or JSON plan`]);
  }
  const document = body.trim() === '' ? null : looksLikeJson(body, file) ? parseJsonDocument(body, file) : parseYamlDocument(body, file);
  const plan = normalizePlan(document, file);
  return { plan, digest: planDigest(plan), file };
}

/**
 * Reads, parses and validates a plan file (at most {@link PLAN_SIZE_LIMIT} bytes of UTF-8).
 *
 * @throws Port25Error PLAN_UNREADABLE (missing, unreadable, too large, binary, not
 *   UTF-8, bad syntax) or PLAN_INVALID (every problem, one line each).
 * @example const { plan, digest } = await loadPlan('plan.yaml')
 */
export async function loadPlan(file: string): Promise<LoadedPlan> {
  const bytes = await readBounded(file);
  const text = decodePlanText(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? bytes.subarray(3) : bytes, file);
  return parsePlan(text, file);
}
