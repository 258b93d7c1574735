/**
 * The ISP's MSA: Debian's Postfix (587 with STARTTLS, 465 with implicit TLS,
 * and the relay on 25) with SASL through Debian's Dovecot, each as a separate
 * instance whose configuration, queue and data live in the lab's state folder
 * (`postfix -c DIR`, `dovecot -c FILE`), running inside the ISP namespace.
 * A scenario switch rewrites the Postfix files and reloads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabCertificates } from './certificates.js';
import { ADDRESSES, NAMES } from './network.js';
import { run, startDaemonIn } from './namespaces.js';
import type { MsaProfile } from './scenarios.js';
import { fillTemplate } from './templates.js';

/** The lab customer's login for SASL (RFC 4954), the audit's `credentials`. */
export interface LabCredentials {
  user: string;
  password: string;
}

/** A fresh password for the lab customer (never written anywhere but the state folder). */
export function makeCredentials(): LabCredentials {
  return { user: `customer@${NAMES.domain}`, password: randomBytes(18).toString('base64url') };
}

/** Dovecot's {SSHA512}: base64(SHA-512(password ‖ salt) ‖ salt), so the passwd-file holds no password. */
function ssha512(password: string): string {
  const salt = randomBytes(16);
  const digest = createHash('sha512').update(password).update(salt).digest();
  return `{SSHA512}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** The `-o` overrides of the 587 service, and whether 465 is offered, per profile. */
export function submissionOverrides(profile: MsaProfile): { options: string[]; implicitTls: boolean } {
  // RFC 6409 §4.3 / RFC 4954: AUTH required to relay; nothing else is relayed.
  const requireAuth = ['smtpd_client_restrictions=permit_sasl_authenticated,reject', 'smtpd_relay_restrictions=permit_sasl_authenticated,reject'];
  switch (profile) {
    case 'compliant':
      // RFC 3207 §4: STARTTLS required before MAIL; RFC 4954 §4: AUTH only over TLS.
      return { options: ['smtpd_tls_security_level=encrypt', 'smtpd_sasl_auth_enable=yes', 'smtpd_tls_auth_only=yes', ...requireAuth], implicitTls: true };
    case 'open-relay':
      // The classic mistake: every network is "ours", so anyone may relay.
      return {
        options: [
          'smtpd_tls_security_level=may',
          'smtpd_sasl_auth_enable=yes',
          'smtpd_tls_auth_only=yes',
          'mynetworks=0.0.0.0/0',
          'smtpd_client_restrictions=',
          'smtpd_relay_restrictions=permit_mynetworks,permit_sasl_authenticated,reject',
        ],
        implicitTls: true,
      };
    case 'auth-before-tls':
      return { options: ['smtpd_tls_security_level=may', 'smtpd_sasl_auth_enable=yes', 'smtpd_tls_auth_only=no', ...requireAuth], implicitTls: true };
    case 'no-starttls':
      // No TLS at all; AUTH stays TLS-only, so it is never offered.
      return { options: ['smtpd_tls_security_level=none', 'smtpd_sasl_auth_enable=yes', 'smtpd_tls_auth_only=yes', ...requireAuth], implicitTls: false };
  }
}

/** Paths of the Postfix and Dovecot instances inside the state folder. */
export function msaPaths(stateDir: string) {
  const postfix = join(stateDir, 'postfix');
  const dovecot = join(stateDir, 'dovecot');
  return {
    postfixConfig: join(postfix, 'conf'),
    postfixQueue: join(postfix, 'spool'),
    postfixData: join(postfix, 'data'),
    postfixLog: join(stateDir, 'logs', 'postfix.log'),
    dovecotConfig: join(dovecot, 'dovecot.conf'),
    dovecotRun: join(dovecot, 'run'),
    dovecotState: join(dovecot, 'state'),
    dovecotUsers: join(dovecot, 'users'),
    dovecotLog: join(stateDir, 'logs', 'dovecot.log'),
  };
}

/** Writes main.cf and master.cf for a profile. */
function writePostfixConfig(stateDir: string, profile: MsaProfile, certificates: LabCertificates): void {
  const paths = msaPaths(stateDir);
  const { options, implicitTls } = submissionOverrides(profile);
  const overrides = (list: string[]): string => list.map((option) => `  -o ${option.includes(' ') ? `{ ${option} }` : option}`).join('\n');
  const implicitService = implicitTls
    ? [
        '',
        '# Implicit TLS on 465 (RFC 8314 §3.3).',
        `${ADDRESSES.isp.msa}:465 inet n        -      n      -      -       smtpd`,
        '  -o syslog_name=postfix/submissions',
        // On 465 the TLS wrapper is the security level: the 587 STARTTLS setting does not apply.
        overrides(['smtpd_tls_wrappermode=yes', ...options.filter((option) => !option.startsWith('smtpd_tls_security_level='))]),
        '',
      ].join('\n')
    : '\n# No implicit TLS on 465 in this profile.\n';
  writeFileSync(
    join(paths.postfixConfig, 'main.cf'),
    fillTemplate('postfix/main.cf', {
      CONFIG_DIR: paths.postfixConfig,
      PROFILE: profile,
      QUEUE_DIR: paths.postfixQueue,
      DATA_DIR: paths.postfixData,
      LOG_FILE: paths.postfixLog,
      STATE_DIR: stateDir,
      MSA_NAME: NAMES.msa,
      RELAY_NAME: NAMES.relay,
      DOMAIN: NAMES.domain,
      MSA_ADDRESS: ADDRESSES.isp.msa,
      RELAY_ADDRESS: ADDRESSES.isp.relay,
      ISP_NETWORK: ADDRESSES.isp.network,
      TLS_CHAIN: certificates.msa.chain,
      TLS_KEY: certificates.msa.key,
    }),
  );
  writeFileSync(
    join(paths.postfixConfig, 'master.cf'),
    fillTemplate('postfix/master.cf', {
      PROFILE: profile,
      RELAY_ADDRESS: ADDRESSES.isp.relay,
      MSA_ADDRESS: ADDRESSES.isp.msa,
      SUBMISSION_OPTIONS: overrides(options),
      SUBMISSIONS_SERVICE: implicitService,
    }),
  );
}

/** The uid and gid of Debian's `postfix` user (owner of the queue's private/ folder, where Dovecot's auth socket goes). */
function postfixOwner(): { uid: number; gid: number } {
  try {
    return { uid: Number(run('id', ['-u', 'postfix']).trim()), gid: Number(run('id', ['-g', 'postfix']).trim()) };
  } catch {
    throw new Error('there is no "postfix" user: install Postfix (apt-get install postfix, see docs/lab.md)');
  }
}

/** Writes dovecot.conf and the passwd-file of the one lab customer. */
function writeDovecotConfig(stateDir: string, instanceName: string, credentials: LabCredentials): void {
  const paths = msaPaths(stateDir);
  for (const dir of [paths.dovecotRun, paths.dovecotState]) mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(paths.dovecotUsers, `${credentials.user}:${ssha512(credentials.password)}\n`, { mode: 0o640 });
  // Dovecot's auth process runs as the `dovecot` user and reads the passwd-file itself.
  const dovecotGid = Number(run('id', ['-g', 'dovecot']).trim());
  chownSync(paths.dovecotUsers, 0, dovecotGid);
  writeFileSync(
    paths.dovecotConfig,
    fillTemplate('dovecot/dovecot.conf', {
      CONFIG_FILE: paths.dovecotConfig,
      INSTANCE_NAME: instanceName,
      RUN_DIR: paths.dovecotRun,
      STATE_DIR: paths.dovecotState,
      LOG_FILE: paths.dovecotLog,
      USERS_FILE: paths.dovecotUsers,
      AUTH_SOCKET: join(paths.postfixQueue, 'private', 'auth'),
    }),
  );
}

/**
 * Starts Dovecot, then Postfix, inside the ISP namespace, with the profile's
 * configuration. Dovecot first: its auth socket must exist in Postfix's queue
 * (private/auth) when the first client asks for AUTH. Both daemonize; their
 * pids are in their own pid files, and every process stays in the namespace.
 */
export function startMsa(namespace: string, stateDir: string, options: { profile: MsaProfile; certificates: LabCertificates; credentials: LabCredentials; instanceName: string }): void {
  const paths = msaPaths(stateDir);
  const owner = postfixOwner();
  for (const dir of [paths.postfixConfig, paths.postfixQueue]) mkdirSync(dir, { recursive: true, mode: 0o755 });
  mkdirSync(paths.postfixData, { recursive: true, mode: 0o700 });
  chownSync(paths.postfixData, owner.uid, owner.gid);
  // Postfix makes the rest of its queue at start; private/ is made now so that Dovecot can put its socket there.
  const privateDir = join(paths.postfixQueue, 'private');
  mkdirSync(privateDir, { recursive: true, mode: 0o700 });
  chownSync(privateDir, owner.uid, 0);
  writePostfixConfig(stateDir, options.profile, options.certificates);
  writeDovecotConfig(stateDir, options.instanceName, options.credentials);
  startDaemonIn(namespace, 'dovecot', ['-c', paths.dovecotConfig], join(stateDir, 'logs', 'dovecot-start.log'));
  startDaemonIn(namespace, 'postfix', ['-c', paths.postfixConfig, 'start'], join(stateDir, 'logs', 'postfix-start.log'));
}

/** Rewrites the Postfix configuration for another profile and reloads it (RFC-wise nothing else changes). */
export function switchMsaProfile(namespace: string, stateDir: string, profile: MsaProfile, certificates: LabCertificates): void {
  writePostfixConfig(stateDir, profile, certificates);
  startDaemonIn(namespace, 'postfix', ['-c', msaPaths(stateDir).postfixConfig, 'reload'], join(stateDir, 'logs', 'postfix-start.log'));
}

/**
 * Stops Postfix and Dovecot of a lab (best effort: the caller then ends any
 * process left in the namespace). Safe when they never started.
 */
export function stopMsa(namespace: string, stateDir: string): void {
  const paths = msaPaths(stateDir);
  for (const [command, args] of [
    ['postfix', ['-c', paths.postfixConfig, 'stop']],
    ['dovecot', ['-c', paths.dovecotConfig, 'stop']],
  ] as const) {
    try {
      startDaemonIn(namespace, command, args, join(stateDir, 'logs', `${command}-stop.log`));
    } catch {
      // not running, never configured, or the namespace is gone
    }
  }
}
