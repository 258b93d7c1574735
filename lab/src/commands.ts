/**
 * The `lab` commands for people (`npm run lab -- <command>`): list, show, up,
 * status, audit, down. Output goes to `out` (the tables) and `err` (progress).
 */
import { join, resolve } from 'node:path';
import { auditScenario, type ScenarioAudit } from './audit.js';
import { attachLab, bringUpLab, labProblems, tearDownLab, trapTeardown, type Lab } from './lab.js';
import { submissionOverrides } from './msa.js';
import { labInstance, LAB_ROLES } from './network.js';
import { routerRuleset } from './router-policy.js';
import { PRACTICE_IDS, SCENARIOS, scenarioNamed, type Scenario } from './scenarios.js';
import { readState, stateDir } from './state.js';

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Exit codes: as the CLI's (0 fine, 1 an audit differs from its scenario, 2 bad usage, 3 the lab could not run). */
export const LAB_EXIT = { ok: 0, mismatch: 1, usage: 2, runtime: 3 } as const;

export const USAGE = `Usage: npm run lab -- <command> [options]

  list                      the scenarios and the status each practice must have
  show SCENARIO             a scenario's router ruleset and MSA settings
  up [SCENARIO]             bring the lab up (default compliant), or switch a running lab to SCENARIO
  status                    is the lab up, in which scenario
  audit [SCENARIO|all]      audit from both vantages with the real CLI and compare with the scenario
                            (default: the running lab's scenario, else compliant; a lab that
                            audit brought up is torn down at the end)
  down                      stop everything and delete the namespaces

Options:
  --out DIR                 audit: where plans, scans and reports go (default ./p25lab-audit)
  --instance ID             a lab of another name (namespaces p25lab-ID-*), e.g. beside a running one

Needs root, iproute2, nftables, postfix, dovecot-core and dnsmasq-base (docs/lab.md).`;

function statusRow(statuses: Record<string, string>): string {
  return PRACTICE_IDS.map((id) => `${id} ${statuses[id]!.padEnd(4)}`).join('  ');
}

/** `list`: one block per scenario. */
export function listScenarios(io: CommandIo): number {
  for (const scenario of SCENARIOS) {
    io.out(`${scenario.name.padEnd(22)} ${scenario.title}\n${' '.repeat(23)}${statusRow(scenario.expected)}\n`);
    for (const [id, note] of Object.entries(scenario.notes)) {
      if (note.uncertain) io.out(`${' '.repeat(23)}${id} uncertain: ${note.why}\n`);
    }
  }
  return LAB_EXIT.ok;
}

/** `show SCENARIO`: what the scenario configures. */
export function showScenario(io: CommandIo, name: string): number {
  const scenario = scenarioNamed(name);
  const { options, implicitTls } = submissionOverrides(scenario.msa);
  io.out(`${scenario.name}: ${scenario.title}\n${scenario.description}\n\nExpected: ${statusRow(scenario.expected)}\n`);
  for (const [id, note] of Object.entries(scenario.notes)) io.out(`  ${id}${note.uncertain ? ' (uncertain)' : ''}: ${note.why}\n`);
  io.out(`\nRouter ruleset (nft -f, in the router namespace):\n${routerRuleset(scenario.name, scenario.policy)}\n`);
  io.out(`Postfix MSA profile ${scenario.msa}: 587 with\n${options.map((option) => `  -o ${option}`).join('\n')}\n465 (implicit TLS): ${implicitTls ? 'offered' : 'off'}\n`);
  return LAB_EXIT.ok;
}

function describeLab(io: CommandIo, lab: Lab): void {
  const ns = lab.instance.namespaces;
  io.out(
    `Lab ${lab.instance.id} is up in scenario ${lab.scenario()?.name}.\n` +
      `  namespaces: ${LAB_ROLES.map((role) => ns[role]).join(', ')}\n` +
      `  state, configuration and logs: ${lab.dir}\n` +
      `  a shell as a customer:  ip netns exec ${ns.customers} bash\n` +
      `  a shell on the internet: ip netns exec ${ns.internet} bash\n` +
      `  audit it: npm run lab -- audit${lab.instance.id === 'default' ? '' : ` --instance ${lab.instance.id}`}   stop it: npm run lab -- down${lab.instance.id === 'default' ? '' : ` --instance ${lab.instance.id}`}\n`,
  );
}

/** `up [SCENARIO]`: switch a healthy lab, or (re)build it. The lab stays up after the command. */
export async function upCommand(io: CommandIo, id: string, name: string | undefined): Promise<number> {
  const running = attachLab(id, io.err);
  if (running !== null) {
    await running.apply(name ?? running.scenario()?.name ?? 'compliant');
    describeLab(io, running);
    return LAB_EXIT.ok;
  }
  const lab = await bringUpLab({ id, scenario: name ?? 'compliant', progress: (message) => io.err(`${message}\n`) });
  describeLab(io, lab);
  return LAB_EXIT.ok;
}

/** `status`. */
export function statusCommand(io: CommandIo, id: string): number {
  const instance = labInstance(id);
  const state = readState(instance);
  if (state === null) {
    io.out(`Lab ${id} is not up.\n`);
    return LAB_EXIT.ok;
  }
  const problems = labProblems(instance);
  if (problems.length === 0) {
    io.out(`Lab ${id} is up in scenario ${state.scenario} since ${state.startedAt} (${state.dir}).\n`);
    return LAB_EXIT.ok;
  }
  io.out(`Lab ${id} is broken (${problems.join('; ')}); \`npm run lab -- up\` rebuilds it, \`down\` removes it.\n`);
  return LAB_EXIT.runtime;
}

/** `down`. */
export function downCommand(io: CommandIo, id: string): number {
  const instance = labInstance(id);
  io.out(tearDownLab(instance) ? `Lab ${id} torn down (namespaces deleted, ${stateDir(instance)} removed).\n` : `Lab ${id} was not up.\n`);
  return LAB_EXIT.ok;
}

function printAudit(io: CommandIo, audit: ScenarioAudit): void {
  io.out(`\n=== ${audit.scenario.name}: ${audit.scenario.title} (scans ${audit.scanSeconds} s) ===\n${audit.table}`);
  for (const id of PRACTICE_IDS) {
    const expected = audit.scenario.expected[id];
    const actual = audit.statuses[id];
    const note = audit.scenario.notes[id];
    io.out(`  ${actual === expected ? 'ok  ' : 'DIFF'} ${id}: expected ${expected}, got ${actual}${note?.uncertain ? ' (expectation uncertain)' : ''}\n`);
  }
  io.out(`  reports: ${audit.files.html}, ${audit.files.json}, ${audit.files.junit}\n`);
}

/** `audit [SCENARIO|all]`. */
export async function auditCommand(io: CommandIo, id: string, which: string | undefined, outDir: string): Promise<number> {
  let lab = attachLab(id, (message) => io.err(`${message}\n`));
  const ownLab = lab === null;
  let scenarios: Scenario[];
  if (which === 'all') scenarios = [...SCENARIOS];
  else scenarios = [scenarioNamed(which ?? lab?.scenario()?.name ?? 'compliant')];
  let untrap = (): void => undefined;
  if (lab === null) {
    io.err('No lab is up: bringing one up for this audit (it is torn down at the end).\n');
    lab = await bringUpLab({ id, scenario: scenarios[0]!.name, progress: (message) => io.err(`${message}\n`) });
    const started = lab;
    untrap = trapTeardown(() => started.down());
  }
  try {
    const audits: ScenarioAudit[] = [];
    for (const scenario of scenarios) {
      io.err(`Auditing scenario ${scenario.name} from both vantages...\n`);
      const audit = await auditScenario(lab, scenario.name, join(resolve(outDir), scenario.name));
      printAudit(io, audit);
      audits.push(audit);
    }
    const differing = audits.filter((audit) => audit.mismatches.length > 0);
    if (audits.length > 1) {
      io.out(`\n${audits.length - differing.length} of ${audits.length} scenarios as expected.\n`);
      for (const audit of differing) {
        io.out(`  ${audit.scenario.name}: ${audit.mismatches.map((m) => `${m.practice} expected ${m.expected}, got ${m.actual}`).join('; ')}\n`);
      }
    }
    return differing.length === 0 ? LAB_EXIT.ok : LAB_EXIT.mismatch;
  } finally {
    if (ownLab) {
      lab.down();
      untrap();
    }
  }
}
