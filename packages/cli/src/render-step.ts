import { writeFile } from 'node:fs/promises';
import { Port25Error, type Report } from '@port25-audit/core';
import { exitCodeFor, renderHtml, renderJson, renderJunit, renderTable, shouldColor } from '@port25-audit/reporters';
import type { Io } from './exit.js';

export const FORMATS = ['table', 'json', 'junit', 'html'] as const;
export type Format = (typeof FORMATS)[number];
export const FAIL_ON = ['fail', 'warn', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];
export const LANGS = ['en', 'de'] as const;

/** The options `report`, `audit` and `demo` share. */
export interface RenderOptions {
  format: Format;
  out?: string | undefined;
  lang: (typeof LANGS)[number];
  failOn: FailOn;
  requireTested: boolean;
  verbose: boolean;
}

/** Renders the report in one format to stdout or a file and returns the exit code it implies. */
export async function renderStep(report: Report, options: RenderOptions, io: Io): Promise<number> {
  const toFile = options.out !== undefined && options.out !== '-';
  const columns = toFile ? undefined : (io.stdout as { columns?: number }).columns;
  const text = renderAs(report, options, { color: !toFile && shouldColor(io.stdout, io.env), width: columns });
  if (toFile) {
    try {
      await writeFile(options.out!, text);
    } catch (error) {
      throw new Port25Error('IO', `cannot write ${options.out}: ${(error as Error).message}`);
    }
  } else {
    io.stdout.write(text);
  }
  return exitCodeFor(report, { failOn: options.failOn, requireTested: options.requireTested });
}

/** How the table fits the terminal: colour or not, and its width (100 columns when unknown). */
export interface Terminal {
  color: boolean;
  width?: number | undefined;
}

export function renderAs(report: Report, options: Omit<RenderOptions, 'out'>, terminal: Terminal): string {
  switch (options.format) {
    case 'json':
      return renderJson(report);
    case 'junit':
      return renderJunit(report, { failOn: options.failOn });
    case 'html':
      return renderHtml(report, { lang: options.lang });
    case 'table':
      return renderTable(report, {
        lang: options.lang,
        verbose: options.verbose,
        color: terminal.color,
        ...(terminal.width ? { width: Math.max(60, Math.min(terminal.width, 160)) } : {}),
      });
  }
}
