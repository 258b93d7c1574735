/**
 * The namespace lab's life: up (cleaning whatever a crashed run left), switch
 * scenario, down. Teardown is synchronous so that it also runs from `exit`
 * and signal handlers, and it touches only the instance's own namespaces, the
 * processes inside them and its own state folder.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { labCertificateFiles, makeLabCertificates } from './certificates.js';
import { makeCredentials, startMsa, stopMsa, submissionOverrides, switchMsaProfile, type LabCredentials } from './msa.js';
import { LAB_ROLES, labInstance, type LabInstance } from './network.js';
import { deleteNamespaces, endProcessesIn, namespaceNames, namespaceOf, runIn } from './namespaces.js';
import { holdLabLock, releaseLabLock } from './lock.js';
import { labUnavailable } from './requirements.js';
import { routerRuleset } from './router-policy.js';
import { scenarioNamed, type Scenario } from './scenarios.js';
import { awaitReadyFrom, ispReadinessChecks, startDns, startLabServer } from './services.js';
import { createStateDir, readState, removeStateDir, stateDir, statePaths, writeState, type LabState } from './state.js';
import { buildTopology } from './topology.js';

/** A running lab. */
export interface Lab {
  instance: LabInstance;
  /** The state folder (configuration, queues, logs, certificates). */
  dir: string;
  /** The lab CA's certificate, for the plan's `tls.caFile`. */
  caFile: string;
  credentials: LabCredentials;
  /** The scenario in effect. */
  scenario(): Scenario | null;
  /** Switches to a scenario: the router's ruleset, and Postfix's profile when it differs; resolves once the MSA serves it. */
  apply(name: string): Promise<Scenario>;
  /** Stops everything and deletes the namespaces and the state folder. Safe to call twice. */
  down(): void;
}

export type Progress = (message: string) => void;

const silent: Progress = () => undefined;

/** Namespaces of the instance that exist now. */
function existingNamespaces(instance: LabInstance): string[] {
  const existing = new Set(namespaceNames());
  return LAB_ROLES.map((role) => instance.namespaces[role]).filter((name) => existing.has(name));
}

/**
 * Tears a lab instance down, running or left over: stops Postfix and Dovecot,
 * ends every process in its namespaces, deletes the namespaces and the state
 * folder. Returns false when there was nothing to tear down.
 */
export function tearDownLab(instance: LabInstance): boolean {
  holdLabLock(instance);
  const namespaces = existingNamespaces(instance);
  const dir = stateDir(instance);
  const hasState = existsSync(dir);
  if (namespaces.length === 0 && !hasState) return false;
  if (hasState && namespaces.includes(instance.namespaces.isp)) stopMsa(instance.namespaces.isp, dir);
  endProcessesIn(namespaces);
  deleteNamespaces(namespaces);
  removeStateDir(instance);
  return true;
}

/** What is wrong with a lab that claims to be up (empty when it is healthy). */
export function labProblems(instance: LabInstance): string[] {
  const state = readState(instance);
  if (state === null) return ['no state file'];
  const problems: string[] = [];
  const existing = new Set(existingNamespaces(instance));
  for (const role of LAB_ROLES) if (!existing.has(instance.namespaces[role])) problems.push(`namespace ${instance.namespaces[role]} is missing`);
  for (const [service, pid] of Object.entries(state.pids)) {
    if (namespaceOf(pid) === '') problems.push(`${service} (pid ${pid}) is not running`);
  }
  if (state.scenario === null) problems.push('the lab never finished coming up');
  return problems;
}

/**
 * Runs `teardown` when the process exits or is interrupted (SIGINT, SIGTERM,
 * SIGHUP), so that a lab never outlives a failed or interrupted run. Returns
 * the function that removes these handlers (for a lab meant to stay up).
 */
export function trapTeardown(teardown: () => void): () => void {
  const onExit = (): void => teardown();
  const onSignal = (signal: NodeJS.Signals): void => {
    teardown();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', onExit);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  return () => {
    process.removeListener('exit', onExit);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(signal, onSignal);
  };
}

function loadRuleset(state: LabState, scenario: Scenario): void {
  const ruleset = routerRuleset(scenario.name, scenario.policy);
  writeFileSync(statePaths(state.dir).nft, ruleset);
  runIn(state.namespaces.router, 'nft', ['-f', statePaths(state.dir).nft]);
}

/** The Lab object over a state (fresh from `up`, or read back from the state file). */
function labOver(instance: LabInstance, state: LabState, progress: Progress): Lab {
  const certificates = labCertificateFiles(statePaths(state.dir).tls);
  let torn = false;
  return {
    instance,
    dir: state.dir,
    caFile: certificates.caFile,
    credentials: state.credentials,
    scenario: () => (state.scenario === null ? null : scenarioNamed(state.scenario)),
    async apply(name) {
      const scenario = scenarioNamed(name);
      loadRuleset(state, scenario);
      if (state.msaProfile !== scenario.msa) {
        progress(`Postfix: switching the MSA to profile ${scenario.msa}`);
        switchMsaProfile(state.namespaces.isp, state.dir, scenario.msa, certificates);
        state.msaProfile = scenario.msa;
        // A reload is asynchronous: wait until the MSA greets with the new profile's banner.
        await awaitReadyFrom(state.namespaces.internet, 'internet', ispReadinessChecks(scenario.msa, submissionOverrides(scenario.msa).implicitTls));
      }
      state.scenario = scenario.name;
      writeState(state);
      return scenario;
    },
    down() {
      if (torn) return;
      torn = true;
      tearDownLab(instance);
      releaseLabLock(instance);
    },
  };
}

/** The lab of an instance if it is up and healthy (this process then holds its lock), else null. */
export function attachLab(id = 'default', progress: Progress = silent): Lab | null {
  const instance = labInstance(id);
  holdLabLock(instance);
  const state = readState(instance);
  if (state === null || labProblems(instance).length > 0) {
    releaseLabLock(instance);
    return null;
  }
  return labOver(instance, state, progress);
}

/**
 * Brings a lab instance up in `scenario`: cleans what a crashed run left,
 * builds the namespaces, loads the router's ruleset, makes the lab CA and the
 * customer's login, starts Dovecot and Postfix, dnsmasq and the lab's own
 * servers, and waits until every service answers. On any failure (or a
 * signal) during the way up, everything is torn down again.
 *
 * @example
 * ```ts
 * const lab = await bringUpLab({ id: 'e2e', scenario: 'compliant' });
 * try { await lab.apply('ipv6-leak'); } finally { lab.down(); }
 * ```
 */
export async function bringUpLab(options: { id?: string; scenario?: string; progress?: Progress } = {}): Promise<Lab> {
  const progress = options.progress ?? silent;
  const unavailable = labUnavailable();
  if (unavailable !== null) throw new Error(unavailable.reason);
  const instance = labInstance(options.id);
  const scenario = scenarioNamed(options.scenario ?? 'compliant');
  holdLabLock(instance);
  if (tearDownLab(instance)) progress(`Cleaned a previous lab ${instance.id} (namespaces, processes, ${stateDir(instance)})`);

  const untrap = trapTeardown(() => tearDownLab(instance));
  try {
    const dir = createStateDir(instance);
    const state: LabState = {
      version: 1,
      instance: instance.id,
      namespaces: instance.namespaces,
      dir,
      startedAt: new Date().toISOString(),
      scenario: null,
      msaProfile: null,
      pids: {},
      credentials: makeCredentials(),
    };
    writeState(state);
    progress(`Namespaces: ${LAB_ROLES.map((role) => instance.namespaces[role]).join(', ')}`);
    buildTopology(instance);
    loadRuleset(state, scenario);

    progress('Lab CA and certificates for smtp.isp.example and autoconfig.isp.example');
    const certificates = makeLabCertificates(statePaths(dir).tls);
    progress(`Dovecot and Postfix (MSA profile ${scenario.msa}) in ${instance.namespaces.isp}`);
    startMsa(instance.namespaces.isp, dir, { profile: scenario.msa, certificates, credentials: state.credentials, instanceName: `p25lab-${instance.id}` });
    state.msaProfile = scenario.msa;
    state.pids['dnsmasq'] = startDns(instance.namespaces.isp, dir);
    writeState(state);

    progress('Canaries, customer listeners and the autoconfig site');
    const [internet, customers, autoconfig] = await Promise.all([
      startLabServer(instance.namespaces.internet, 'internet', dir, certificates),
      startLabServer(instance.namespaces.customers, 'customers', dir, certificates),
      startLabServer(instance.namespaces.isp, 'autoconfig', dir, certificates),
    ]);
    Object.assign(state.pids, { internet, customers, autoconfig });
    writeState(state);
    await awaitReadyFrom(instance.namespaces.internet, 'internet', ispReadinessChecks(scenario.msa, submissionOverrides(scenario.msa).implicitTls));

    state.scenario = scenario.name;
    writeState(state);
    progress(`Lab ${instance.id} is up in scenario ${scenario.name}`);
    return labOver(instance, state, progress);
  } catch (error) {
    tearDownLab(instance);
    releaseLabLock(instance);
    throw error;
  } finally {
    untrap();
  }
}
