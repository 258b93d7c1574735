/**
 * The lab CA and the ISP's server certificates, made with the fixtures'
 * certificate factory at every `up` and written to the state folder only:
 * no private key is ever committed.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFixtureCa } from '@port25-audit/fixtures';
import { NAMES } from './network.js';

/** Files of one server certificate. */
export interface CertificateFiles {
  /** The certificate followed by the lab CA (what the server presents). */
  chain: string;
  key: string;
}

export interface LabCertificates {
  /** The lab CA's certificate: the audit plan's `tls.caFile`. */
  caFile: string;
  /** smtp.isp.example, for Postfix on 587 and 465. */
  msa: CertificateFiles;
  /** autoconfig.isp.example and isp.example, for the autoconfig HTTPS server. */
  autoconfig: CertificateFiles;
}

/** Where the lab's certificates live in a folder (made by {@link makeLabCertificates}). */
export function labCertificateFiles(dir: string): LabCertificates {
  const server = (name: string): CertificateFiles => ({ chain: join(dir, `${name}.chain.pem`), key: join(dir, `${name}.key.pem`) });
  return { caFile: join(dir, 'ca.pem'), msa: server(NAMES.msa), autoconfig: server(NAMES.autoconfig) };
}

function writeServer(files: CertificateFiles, issued: { chainPem: string; keyPem: string }): void {
  writeFileSync(files.chain, issued.chainPem, { mode: 0o644 });
  // Read by Postfix and Node as root, before they drop privileges.
  writeFileSync(files.key, issued.keyPem, { mode: 0o600 });
  chmodSync(files.key, 0o600);
}

/**
 * Makes the lab CA (RSA 2048) and two server certificates signed by it (RSA
 * 2048, SHA-256, 90 days), and writes them into `dir`.
 *
 * @example const certificates = makeLabCertificates(statePaths(dir).tls)
 */
export function makeLabCertificates(dir: string): LabCertificates {
  const ca = createFixtureCa({ commonName: 'p25lab ISP CA' });
  const files = labCertificateFiles(dir);
  writeFileSync(files.caFile, ca.certPem, { mode: 0o644 });
  writeServer(files.msa, ca.issue({ names: [NAMES.msa] }));
  writeServer(files.autoconfig, ca.issue({ names: [NAMES.autoconfig, NAMES.domain] }));
  return files;
}
