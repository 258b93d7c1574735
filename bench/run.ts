/**
 * `npm run bench`: issue 7's measurements, each next to its peer in the same
 * run, printed and written to docs/performance.md with the machine and the
 * exact commands.
 *
 *   npm run bench                          # everything, 3 rounds of each comparison
 *   npm run bench -- --only census,smtp    # some parts (census, shards, filtered, memory, smtp); docs untouched
 *   npm run bench -- --rounds 1 --no-write # a quick look; docs/performance.md untouched
 *   npm run bench -- --no-build            # on the last build (dist/), e.g. while the sources do not compile
 *
 * It builds the packages first (the CLI runs from dist/, as users run it),
 * installs nmap and swaks from Debian when missing, and needs root for the
 * network namespaces of the filtered range (that part is skipped otherwise).
 * Heavy: about 5 minutes on 2 cores; run it on an otherwise idle machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCensus } from './census.js';
import { REPO_ROOT, type BenchContext } from './context.js';
import { benchFiltered } from './filtered.js';
import { describeMachine } from './machine.js';
import { benchMemory } from './memory.js';
import { ensurePeer } from './peers.js';
import { renderMarkdown, renderText } from './render.js';
import type { Section } from './section.js';
import { benchSmtp } from './smtp.js';

const PARTS = ['census', 'filtered', 'memory', 'smtp'] as const;
const ORDER = ['census', 'filtered', 'memory', 'smtp', 'shards'];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    'no-write': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});
const only = values.only === undefined ? [...PARTS] : values.only.split(',').map((part) => (part.trim() === 'shards' ? 'census' : part.trim()));
for (const part of only) {
  if (!(PARTS as readonly string[]).includes(part)) throw new Error(`--only ${part}: choose among ${[...PARTS, 'shards'].join(', ')}`);
}
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${values.rounds}: give a positive integer`);

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};
const machine = describeMachine();
if (values['no-build']) {
  log('using the packages as last built (--no-build)');
} else {
  log('building the packages (npx tsc -b) ...');
  try {
    execFileSync('npx', ['tsc', '-b'], { cwd: REPO_ROOT, stdio: 'inherit' });
  } catch {
    throw new Error('the build failed (npx tsc -b, errors above): fix it, or run the benchmark on the last build with --no-build');
  }
}
ensurePeer('time', 'time', log);
if (only.includes('census')) ensurePeer('nmap', 'nmap', log);
if (only.includes('filtered')) ensurePeer('nmap', 'nmap', log);
if (only.includes('smtp')) ensurePeer('swaks', 'swaks', log);

const work = mkdtempSync(join(tmpdir(), 'p25p-bench-'));
const context: BenchContext = { root: REPO_ROOT, work, rounds, log };
const sections: Section[] = [];
try {
  if (only.includes('census')) sections.push(...(await benchCensus(context)));
  if (only.includes('filtered')) sections.push(await benchFiltered(context));
  if (only.includes('memory')) sections.push(await benchMemory(context));
  if (only.includes('smtp')) sections.push(await benchSmtp(context));
} finally {
  rmSync(work, { recursive: true, force: true });
}
// The scratch directory is gone after the run: the commands name it $WORK.
for (const section of sections) {
  section.commands = section.commands.map((command) => command.replaceAll(work, '$WORK'));
  section.notes = section.notes.map((note) => note.replaceAll(work, '$WORK'));
}
sections.sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));

process.stdout.write(`\nport25-audit benchmark: ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}, load ${machine.loadAtStart} at start\n\n`);
for (const section of sections) process.stdout.write(`${renderText(section)}\n`);
// docs/performance.md holds every part from one run: a partial run does not overwrite it.
if (values['no-write'] || values.only !== undefined) {
  log('docs/performance.md left as it was (--no-write or --only)');
} else {
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const path = join(REPO_ROOT, 'docs', 'performance.md');
  writeFileSync(path, renderMarkdown(sections, machine, { date: new Date().toISOString().slice(0, 10), command, rounds }));
  log(`wrote ${path}`);
}
