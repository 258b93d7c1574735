import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { reportFromScanFiles } from '@port25-audit/core';
import { startLoopbackLab } from '@port25-audit/fixtures/lab';
import { EXIT } from '../exit.js';
import type { CommandContext } from '../cli.js';
import { LANGS, renderAs } from '../render-step.js';
import { scanStep } from '../scan-step.js';
import { shouldColor } from '@port25-audit/reporters';

/**
 * Sets environment variables of this process until the returned function restores them.
 * The scan reads the plan's credential variables from process.env (the probe context's
 * default), so the lab's test account goes there and nowhere else: never into a file.
 */
function lendEnvironment(variables: Record<string, string>): () => void {
  const before = Object.entries(variables).map(([name]) => [name, process.env[name]] as const);
  for (const [name, value] of Object.entries(variables)) process.env[name] = value;
  return () => {
    for (const [name, value] of before) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

interface DemoArgs {
  dir: string;
  lang: (typeof LANGS)[number];
  quiet: boolean;
}

/**
 * `port25-audit demo`: starts the built-in loopback lab (the ISP's MSA, DNS and
 * autoconfig server, customers, canaries: docs/demo.md), audits it by name from
 * both vantages with the lab's test account, writes the plan, the lab CA
 * certificate, both scans and report.html, report.xml and report.json, prints
 * the table, stops the lab. Exits 0 when the audit ran, whatever the lab's
 * (deliberately mixed) compliance.
 */
export const demoCommand = ({ io, outcome, interrupt }: CommandContext): CommandModule<object, DemoArgs> => ({
  command: 'demo',
  describe: 'Audit the built-in loopback lab from both vantages and write a report',
  builder: (y) =>
    y
      .option('dir', { type: 'string', requiresArg: true, default: 'port25-audit-demo', describe: 'Folder for the plan, the lab CA certificate, the scans and the reports' })
      .option('lang', { choices: LANGS, default: 'en' as const, describe: 'Language of the HTML report and the table' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress on stderr' }),
  handler: async (args) => {
    const dir = args.dir;
    await mkdir(dir, { recursive: true });
    const lab = await startLoopbackLab({ dir });
    const { account } = lab;
    const restoreEnvironment = lendEnvironment({ [account.userEnv]: account.user, [account.passwordEnv]: account.password });
    try {
      if (!args.quiet) io.stderr.write(`Loopback lab started:\n${lab.describe().map((l) => `  ${l}\n`).join('')}`);
      const planFile = join(dir, 'plan.json');
      await writeFile(planFile, `${JSON.stringify(lab.plan, null, 2)}\n`);
      const scans: string[] = [];
      for (const vantage of ['outside', 'inside'] as const) {
        const file = join(dir, `scan-${vantage}.ndjson`);
        await rm(file, { force: true });
        const scan = await scanStep({ plan: planFile, vantage, out: file, label: `${vantage} (demo)`, quiet: args.quiet, resumable: false }, io, interrupt);
        if (scan.interrupted) {
          outcome.code = EXIT.interrupted;
          return;
        }
        scans.push(file);
      }
      const report = await reportFromScanFiles(scans, new Date());
      const common = { lang: args.lang, failOn: 'fail' as const, requireTested: false, verbose: false };
      const written: string[] = [];
      for (const [format, name] of [['html', 'report.html'], ['junit', 'report.xml'], ['json', 'report.json']] as const) {
        const file = join(dir, name);
        await writeFile(file, renderAs(report, { ...common, format }, { color: false }));
        written.push(file);
      }
      io.stdout.write(renderAs(report, { ...common, format: 'table' }, { color: shouldColor(io.stdout, io.env), width: (io.stdout as { columns?: number }).columns }));
      io.stderr.write(`\nReports written:\n${written.map((f) => `  ${f}\n`).join('')}Open ${join(dir, 'report.html')} in a browser.\n`);
      outcome.code = EXIT.ok;
    } finally {
      restoreEnvironment();
      await lab.close();
    }
  },
});
