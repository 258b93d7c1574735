/**
 * Reading a plan file: bounded, text only, YAML or JSON, with syntax errors
 * located (`plan.yaml:12:3: <reason>`) and YAML alias bombs refused.
 */
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isCollection, LineCounter, parseDocument, visit } from 'yaml';
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

/** Decodes plan bytes as UTF-8 text, refusing binary files and other encodings. */
function decodePlanText(bytes: Buffer, file: string): string {
  if (bytes.includes(0)) {
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
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

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
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

/** Parses JSON strictly (RFC 8259), reporting the first syntax error, or every duplicate key, at line:col. */
function parseJsonDocument(text: string, file: string): unknown {
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

function parseYamlDocument(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
    // YAML 1.1 tags (!!binary, !!set, !!timestamp) would yield Buffers, Sets and Dates no plan field takes.
    resolveKnownTags: false,
  });
  // Warnings (unresolved tags) are errors here: a plan has no use for them.
  const problems = [...document.errors, ...document.warnings].map((problem) => {
    const reason = problem.code === 'MULTIPLE_DOCS' ? 'a plan is one YAML document; remove the second "---"' : oneLine(problem.message);
    return `${file}:${position(lineCounter, problem.pos[0])}: ${reason}`;
  });
  visit(document, {
    Pair: (_, pair) => {
      // A list or mapping as a key (`? [a, b]`) has no place in a plan and would be stringified.
      if (isCollection(pair.key)) {
        problems.push(`${file}:${position(lineCounter, pair.key.range?.[0] ?? 0)}: a key must be plain text, not a list or mapping`);
      }
    },
  });
  if (problems.length > 0) throw unreadablePlan(file, problems);
  try {
    return document.toJS({ maxAliasCount: PLAN_ALIAS_LIMIT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = /alias/i.test(message)
      ? `expands more than ${PLAN_ALIAS_LIMIT} YAML aliases; refusing a possible "billion laughs" document`
      : oneLine(message);
    throw unreadablePlan(file, [`${file}: ${reason}`], error);
  }
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
