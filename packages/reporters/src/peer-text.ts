/**
 * Text that a scanned host sent is untrusted (DESIGN "Bad input and hostile
 * peers"): greetings carry markup, control bytes, ANSI escapes, lone surrogates
 * and endless lines. Every reporter passes such text through the function for
 * its medium before it prints it.
 */
import stripAnsi from 'strip-ansi';

// C0 controls except TAB and LF, DEL, C1 controls: invisible or terminal-active.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// A UTF-16 half without its partner cannot be encoded as UTF-8 or XML.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Bidirectional overrides and isolates reorder what a reader sees (CVE-2021-42574).
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
// XML 1.0 §2.2 Char: U+FFFE and U+FFFF are not characters.
const NONCHARACTER = /[\uFFFE\uFFFF]/g;

function hexEscape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Makes invisible and dangerous characters visible as `\xHH` / `\uHHHH`
 * escapes, so that an auditor sees that a host sent them: C0 controls (but TAB
 * and LF), DEL, C1 controls, lone surrogates, U+FFFE/U+FFFF and bidi controls.
 *
 * @example visibleControls('220 \u001b[31mhi') // '220 \\x1B[31mhi'
 */
export function visibleControls(text: string): string {
  return text
    .replace(CONTROL, hexEscape)
    .replace(LONE_SURROGATE, hexEscape)
    .replace(NONCHARACTER, hexEscape)
    .replace(BIDI_CONTROL, hexEscape);
}

// XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function xmlChars(text: string): string {
  return text.replace(XML_FORBIDDEN, '').replace(LONE_SURROGATE, '');
}

/**
 * Escapes text for XML 1.0 element content: markup escaped (which also makes
 * `]]>` harmless) and every character XML 1.0 forbids removed.
 */
export function xmlText(text: string): string {
  return xmlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes text for a double-quoted XML 1.0 attribute. TAB, LF and CR become
 * character references, since attribute-value normalization (XML 1.0 §3.3.3)
 * would turn them into spaces.
 */
export function xmlAttribute(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** Escapes text for HTML element content and quoted attributes. */
export function htmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Makes text a host sent safe to print on one terminal line: ANSI/VT escape
 * sequences removed (CSI, OSC hyperlinks, C1 CSI), line breaks and tabs turned
 * into spaces, remaining controls, bidi controls and lone surrogates removed.
 */
export function terminalText(text: string): string {
  return stripAnsi(text)
    .replace(/[\t\n\r]+/g, ' ')
    .replace(CONTROL, '')
    .replace(LONE_SURROGATE, '')
    .replace(NONCHARACTER, '')
    .replace(BIDI_CONTROL, '');
}

/**
 * Shortens a text to at most `max` code points, marking the cut with "…"; an
 * endless greeting must not flood a terminal or a CI log.
 */
export function truncate(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}
