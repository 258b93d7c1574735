/** The peer tools the benchmark compares against, installed from Debian when missing. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function installed(binary: string): boolean {
  return ['/usr/bin', '/usr/sbin', '/bin', '/usr/local/bin'].some((dir) => existsSync(`${dir}/${binary}`));
}

/**
 * Makes sure `binary` exists, installing the Debian package `debianPackage`
 * with apt-get when it does not (as root, as CI runs). Throws with what to do
 * when it cannot.
 */
export function ensurePeer(binary: string, debianPackage: string, log: (line: string) => void): void {
  if (installed(binary)) return;
  if (process.getuid?.() !== 0) throw new Error(`${binary} is missing; install it with: sudo apt-get install -y ${debianPackage}`);
  log(`installing ${debianPackage} (apt-get) for ${binary} ...`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '-qq', debianPackage], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!installed(binary)) throw new Error(`apt-get installed ${debianPackage} but ${binary} is still missing`);
}
