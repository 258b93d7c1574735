/**
 * One lab command at a time per instance: two processes tearing down and
 * building the same namespaces at once would delete each other's work. The
 * lock is a folder made atomically (`mkdir`), holding the owner's pid; a lock
 * whose owner died (a crashed run) is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabInstance } from './network.js';
import { sleepSync } from './namespaces.js';

const held = new Set<string>();
/** Set once the process exits: a teardown that runs from an exit handler then goes on without the lock it can no longer give back. */
let exiting = false;
let exitHook = false;

function releaseDir(dir: string): void {
  if (!held.has(dir)) return;
  held.delete(dir);
  if (ownerOf(dir) === process.pid) rmSync(dir, { recursive: true, force: true });
}

function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    exiting = true;
    for (const dir of [...held]) releaseDir(dir);
  });
}

function lockDir(instance: LabInstance): string {
  return join(tmpdir(), `p25lab-${instance.id}.lock`);
}

function ownerOf(dir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the instance's lock for this process (until {@link releaseLabLock} or
 * the process exits), waiting up to `waitMs` for another live owner. Taking a
 * lock this process already holds does nothing.
 *
 * @throws when another live process keeps the lock for longer than `waitMs`.
 */
export function holdLabLock(instance: LabInstance, waitMs = 60_000): void {
  const dir = lockDir(instance);
  if (held.has(dir) || exiting) return;
  installExitHook();
  const deadline = Date.now() + waitMs;
  let announcedOwner: number | null = null;
  for (;;) {
    try {
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(join(dir, 'pid'), String(process.pid));
      held.add(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = ownerOf(dir);
    // No pid yet: the owner is between mkdir and write; a dead owner crashed.
    if (owner !== null && !alive(owner)) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`another lab command (pid ${owner ?? '?'}) is working on lab ${instance.id}; wait for it, or end it (${dir})`);
    }
    if (owner !== null && owner !== announcedOwner) {
      announcedOwner = owner;
      process.stderr.write(`Waiting for another lab command (pid ${owner}) on lab ${instance.id}...\n`);
    }
    sleepSync(200);
  }
}

/** Gives the lock back (only if this process holds it). */
export function releaseLabLock(instance: LabInstance): void {
  releaseDir(lockDir(instance));
}
