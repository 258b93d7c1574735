/**
 * `--format table`: the terminal view. One row per practice with its status,
 * counts and worst finding; `-v` adds a row per check. Whatever a host sent is
 * stripped of escape sequences and control characters before it reaches the
 * terminal, and cut to a readable length.
 */
import type { CheckResult, PracticeResult, Report, Status } from '@port25-audit/core';
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { localizedSummary } from './i18n/messages.js';
import { PRACTICE_TEXT } from './i18n/practices.js';
import { uiText, type Lang, type UiText } from './i18n/ui.js';
import { utcInstant } from './instant.js';
import { terminalText, truncate } from './peer-text.js';
import { COUNT_ORDER, countChecks, worstCheck } from './status.js';

export interface TableOptions {
  /** Default `en`. */
  lang?: Lang;
  /** Adds one row per check under each practice. */
  verbose?: boolean;
  /** ANSI colours; decide with {@link shouldColor}. Default false. */
  color?: boolean;
  /** Width of the table in columns. Default 100. */
  width?: number;
}

/** Status icons for terminals: one column wide in every common terminal font. */
const TERMINAL_ICON: Record<Status, string> = { pass: '✓', warn: '⚠', fail: '✗', error: '!', skip: '○' };

// Longest finding shown per row; the full text is in the JSON and HTML reports.
const FINDING_LIMIT = 240;

/**
 * Whether to colour terminal output: never when NO_COLOR is set to a non-empty
 * value (no-color.org); FORCE_COLOR (other than `0`/`false`) forces it; else
 * only when the stream is a TTY and TERM is not `dumb`.
 *
 * @example renderTable(report, { color: shouldColor(process.stdout, process.env) })
 */
export function shouldColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

function paint(status: Status, chalk: ChalkInstance): (text: string) => string {
  switch (status) {
    case 'pass':
      return chalk.green;
    case 'warn':
      return chalk.yellow;
    case 'fail':
      return chalk.red.bold;
    case 'error':
      return chalk.magenta;
    case 'skip':
      return chalk.gray;
  }
}

function statusCell(status: Status, t: UiText, chalk: ChalkInstance): string {
  return paint(status, chalk)(`${TERMINAL_ICON[status]} ${t.status[status]}`);
}

function countsCell(checks: readonly CheckResult[], t: UiText): string {
  const counts = countChecks(checks);
  const parts = COUNT_ORDER.filter((status) => counts[status] > 0).map((status) => `${counts[status]} ${t.statusCount[status]}`);
  return parts.length === 0 ? '0' : parts.join(', ');
}

function finding(check: CheckResult, lang: Lang): string {
  return truncate(terminalText(localizedSummary(check, lang)), FINDING_LIMIT);
}

function worstFinding(practice: PracticeResult, lang: Lang, t: UiText): string {
  const worst = worstCheck(practice);
  if (worst === null) return t.tableNothingTested;
  // A passing practice with untested checks shows the first gap: that is what keeps it from being fully tested.
  const shown = practice.status === 'pass' ? practice.checks.find((check) => check.status === 'skip') : worst;
  if (shown === undefined) return t.tableAllPass(practice.checks.length);
  return `${terminalText(shown.target)}: ${finding(shown, lang)}`;
}

function practiceName(practice: PracticeResult, lang: Lang): string {
  const title = lang === 'de' ? (PRACTICE_TEXT[practice.id]?.titleDe ?? practice.title) : practice.title;
  return `${practice.id} ${terminalText(title)}`;
}

function columnWidths(width: number, verbose: boolean): number[] {
  const practice = verbose ? 28 : 30;
  const status = 17;
  // Verbose rows put the target here: `name:port (address)` needs the room.
  const third = verbose ? 26 : 20;
  // cli-table3 counts each column's padding inside its width; 5 borders surround 4 columns.
  const finding = Math.max(24, width - practice - status - third - 5);
  return [practice, status, third, finding];
}

/**
 * Splits words longer than a column into column-wide pieces on lines of their
 * own: cli-table3 would cut them off with "…", hiding part of a host name.
 */
function breakLongWords(text: string, columnWidth: number): string {
  const room = Math.max(4, columnWidth - 2);
  return text
    .split(' ')
    .map((word) => {
      const points = Array.from(word);
      if (points.length <= room) return word;
      const pieces: string[] = [];
      for (let i = 0; i < points.length; i += room) pieces.push(points.slice(i, i + room).join(''));
      return pieces.join('\n');
    })
    .join(' ');
}

/**
 * The report as a terminal table, one row per practice (status, counts, worst
 * finding), with one more row per check when verbose, and an overall line.
 * Text from scanned hosts is stripped of ANSI and control sequences.
 *
 * @example process.stdout.write(renderTable(report, { lang: 'de', verbose: true, color: shouldColor(process.stdout, process.env) }))
 */
export function renderTable(report: Report, options: TableOptions = {}): string {
  const lang = options.lang ?? 'en';
  const t = uiText(lang);
  const chalk = new Chalk({ level: options.color === true ? 1 : 0 });
  const verbose = options.verbose === true;
  const columns = t.tableColumns;
  const head = verbose
    ? [`${columns.practice} / ${columns.check}`, columns.status, `${columns.checks} / ${columns.target}`, columns.finding]
    : [columns.practice, columns.status, columns.checks, columns.worst];
  const widths = columnWidths(options.width ?? 100, verbose);
  const fit = (cells: string[]) => cells.map((cell, index) => breakLongWords(cell, widths[index] ?? 20));
  const table = new Table({
    head: head.map((cell) => chalk.bold(cell)),
    colWidths: widths,
    wordWrap: true,
    wrapOnWordBoundary: true,
    // cli-table3 would colour header and borders itself (through @colors/colors); colour is ours to decide.
    style: { head: [], border: [] },
  });
  for (const practice of report.practices) {
    const [name = '', , counts = '', worst = ''] = fit([practiceName(practice, lang), '', countsCell(practice.checks, t), worstFinding(practice, lang, t)]);
    table.push([chalk.bold(name), statusCell(practice.status, t, chalk), counts, worst]);
    if (!verbose) continue;
    for (const check of practice.checks) {
      const [id = '', , target = '', text = ''] = fit([`  ${terminalText(check.id)}`, '', terminalText(check.target), finding(check, lang)]);
      table.push([id, statusCell(check.status, t, chalk), target, text]);
    }
  }
  const vantages = report.vantages.map(
    (vantage) =>
      `${t.vantage[vantage.kind]}: ${terminalText(vantage.label)} (${terminalText(vantage.host)}), ` +
      `${terminalText(utcInstant(vantage.startedAt))}${vantage.complete ? '' : ` (${t.scanIncomplete})`}`,
  );
  const overallCounts = COUNT_ORDER.filter((status) => report.counts[status] > 0)
    .map((status) => `${report.counts[status]} ${t.statusCount[status]}`)
    .join(', ');
  const lines = [
    chalk.bold(terminalText(t.heading(report.plan.name))),
    `${t.tool}: ${terminalText(`${report.tool.name} ${report.tool.version}`)} · ${t.generated}: ${terminalText(utcInstant(report.generatedAt))}`,
    ...vantages.map((line) => `${t.vantages}: ${line}`),
    table.toString(),
    t.tableOverall(statusCell(report.status, t, chalk), overallCounts === '' ? '0' : overallCounts),
    '',
  ];
  return lines.join('\n');
}
