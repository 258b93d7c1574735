/**
 * Certificate evidence from DER: Node's X509Certificate reads RSA and EC
 * certificates (node-forge cannot parse EC ones); forge.asn1 reads what Node 20
 * does not expose, the signature algorithm.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import forge from 'node-forge';

/** The public key of a certificate. */
export interface CertificateKey {
  /** Node's key type: `rsa`, `rsa-pss`, `ec`, `ed25519`, `ed448`, `dsa`, … */
  type: string;
  /** Strength in bits: the RSA/DSA modulus length, the EC curve's size, 256/448 for Ed25519/Ed448; null when unknown. */
  bits: number | null;
  /** The EC curve (`prime256v1`, `secp384r1`, …), null for other key types. */
  curve: string | null;
}

/** The algorithm the issuer signed the certificate with (RFC 5280 §4.1.1.2). */
export interface SignatureAlgorithm {
  oid: string;
  /** `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, …, or the OID when unknown. */
  name: string;
  /** The digest (`sha1`, `sha256`, `md5`, …), null when the algorithm names none (Ed25519, PSS) or is unknown. */
  hash: string | null;
}

/** What one certificate says, as evidence. */
export interface CertificateEvidence {
  /** Distinguished name, `CN=mail.example.net, O=Example`. */
  subject: string;
  /** Subject alternative names as Node prints them: `DNS:mail.example.net`, `IP Address:192.0.2.1`. */
  subjectAltNames: string[];
  issuer: string;
  serialNumber: string;
  /** ISO 8601. */
  notBefore: string;
  /** ISO 8601. */
  notAfter: string;
  /** Whole days from the observation to notAfter; negative once expired. */
  daysLeft: number;
  /** True when the observation falls outside notBefore..notAfter. */
  expired: boolean;
  notYetValid: boolean;
  key: CertificateKey;
  signatureAlgorithm: SignatureAlgorithm;
  /** Issued by its own key (subject = issuer and the signature verifies with its own public key). */
  selfSigned: boolean;
  /** A CA certificate (basicConstraints cA). */
  ca: boolean;
  /** SHA-256 of the DER, colon-separated hex as Node prints it. */
  fingerprintSha256: string;
}

/** Evidence of the certificate chain a TLS server presented. */
export interface CertificateChainEvidence {
  /** Leaf first, then each issuer as far as the chain goes. */
  chain: CertificateEvidence[];
  /** The chain verified against the trust anchors (system roots plus the plan's `tls.caFile`), validity dates included. */
  chainValid: boolean;
  /** OpenSSL's reason when it did not (`CERT_HAS_EXPIRED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`, …). */
  chainError: string | null;
  /** The name the leaf must match: the plan's server name, or the address for a bare address. */
  nameChecked: string;
  /** RFC 6125 §6.4: the leaf's DNS names (IP addresses for an address) cover `nameChecked`. */
  nameMatches: boolean;
  /** Chain valid and name matched: the only case in which credentials may be sent. */
  trusted: boolean;
}

/** Signature algorithm OIDs (RFC 3279, RFC 4055, RFC 5758, RFC 8410) and their digests. */
const SIGNATURE_ALGORITHMS: ReadonlyMap<string, { name: string; hash: string | null }> = new Map([
  ['1.2.840.113549.1.1.2', { name: 'md2WithRSAEncryption', hash: 'md2' }],
  ['1.2.840.113549.1.1.4', { name: 'md5WithRSAEncryption', hash: 'md5' }],
  ['1.2.840.113549.1.1.5', { name: 'sha1WithRSAEncryption', hash: 'sha1' }],
  ['1.3.14.3.2.29', { name: 'sha1WithRSASignature', hash: 'sha1' }],
  ['1.2.840.113549.1.1.10', { name: 'RSASSA-PSS', hash: null }],
  ['1.2.840.113549.1.1.11', { name: 'sha256WithRSAEncryption', hash: 'sha256' }],
  ['1.2.840.113549.1.1.12', { name: 'sha384WithRSAEncryption', hash: 'sha384' }],
  ['1.2.840.113549.1.1.13', { name: 'sha512WithRSAEncryption', hash: 'sha512' }],
  ['1.2.840.113549.1.1.14', { name: 'sha224WithRSAEncryption', hash: 'sha224' }],
  ['1.2.840.10040.4.3', { name: 'dsa-with-sha1', hash: 'sha1' }],
  ['2.16.840.1.101.3.4.3.2', { name: 'dsa-with-sha256', hash: 'sha256' }],
  ['1.2.840.10045.4.1', { name: 'ecdsa-with-SHA1', hash: 'sha1' }],
  ['1.2.840.10045.4.3.1', { name: 'ecdsa-with-SHA224', hash: 'sha224' }],
  ['1.2.840.10045.4.3.2', { name: 'ecdsa-with-SHA256', hash: 'sha256' }],
  ['1.2.840.10045.4.3.3', { name: 'ecdsa-with-SHA384', hash: 'sha384' }],
  ['1.2.840.10045.4.3.4', { name: 'ecdsa-with-SHA512', hash: 'sha512' }],
  ['1.3.101.112', { name: 'Ed25519', hash: null }],
  ['1.3.101.113', { name: 'Ed448', hash: null }],
]);

/** Curve sizes in bits (RFC 5480 §2.1.1.1 names, as OpenSSL reports them). */
const CURVE_BITS: ReadonlyMap<string, number> = new Map([
  ['prime192v1', 192],
  ['secp224r1', 224],
  ['prime256v1', 256],
  ['secp256k1', 256],
  ['secp384r1', 384],
  ['secp521r1', 521],
  ['brainpoolP256r1', 256],
  ['brainpoolP384r1', 384],
  ['brainpoolP512r1', 512],
]);

const DAY_MS = 86_400_000;

/**
 * Reads the signature algorithm of a DER certificate with forge.asn1, which
 * parses any DER (forge's certificate parser rejects EC keys):
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280 §4.1).
 *
 * @example
 * signatureAlgorithmOf(der).name // 'sha256WithRSAEncryption'
 */
export function signatureAlgorithmOf(der: Uint8Array): SignatureAlgorithm {
  try {
    const certificate = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')));
    const algorithm = (certificate.value as forge.asn1.Asn1[])[1];
    const oidNode = (algorithm?.value as forge.asn1.Asn1[] | undefined)?.[0];
    if (oidNode === undefined || typeof oidNode.value !== 'string') throw new Error('no signatureAlgorithm');
    const oid = forge.asn1.derToOid(forge.util.createBuffer(oidNode.value));
    const known = SIGNATURE_ALGORITHMS.get(oid);
    return { oid, name: known?.name ?? forge.pki.oids[oid] ?? oid, hash: known?.hash ?? null };
  } catch {
    return { oid: 'unknown', name: 'unknown', hash: null };
  }
}

/** `CN=a\nO=b` (Node's form) as `CN=a, O=b`. */
function distinguishedName(text: string): string {
  return text.split('\n').filter((part) => part !== '').join(', ');
}

/** Splits Node's `DNS:a, DNS:b, IP Address:192.0.2.1`; a comma inside a name is quoted by Node, so it stays whole. */
function altNames(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  return text.split(/, (?=[A-Za-z][A-Za-z ]*:)/);
}

function keyOf(certificate: X509Certificate): CertificateKey {
  const key = certificate.publicKey;
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  if (details.namedCurve !== undefined) {
    return { type, bits: CURVE_BITS.get(details.namedCurve) ?? null, curve: details.namedCurve };
  }
  if (details.modulusLength !== undefined) return { type, bits: details.modulusLength, curve: null };
  if (type === 'ed25519') return { type, bits: 256, curve: null };
  if (type === 'ed448') return { type, bits: 448, curve: null };
  return { type, bits: null, curve: null };
}

/** Issuer = subject and its own key verifies the signature; not checkIssued, which also demands keyCertSign of the issuer. */
function selfSigned(certificate: X509Certificate): boolean {
  try {
    return certificate.subject === certificate.issuer && certificate.verify(certificate.publicKey);
  } catch {
    return false;
  }
}

/**
 * Describes one DER certificate: names, dates, key, signature algorithm,
 * fingerprint. `now` is the time of the observation (days left are counted from it).
 *
 * @example
 * const evidence = describeCertificate(tlsSocket.getPeerCertificate().raw, new Date());
 * evidence.key // { type: 'ec', bits: 256, curve: 'prime256v1' }
 */
export function describeCertificate(der: Uint8Array, now: Date): CertificateEvidence {
  const certificate = new X509Certificate(der);
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  return {
    subject: distinguishedName(certificate.subject),
    subjectAltNames: altNames(certificate.subjectAltName),
    issuer: distinguishedName(certificate.issuer),
    serialNumber: certificate.serialNumber,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS),
    expired: now.getTime() > notAfter.getTime(),
    notYetValid: now.getTime() < notBefore.getTime(),
    key: keyOf(certificate),
    signatureAlgorithm: signatureAlgorithmOf(der),
    selfSigned: selfSigned(certificate),
    ca: certificate.ca,
    fingerprintSha256: certificate.fingerprint256,
  };
}

/**
 * Whether a DER certificate is valid for `name`: DNS names (wildcards per
 * RFC 6125 §6.4.3) for a host name, IP address SANs for an address literal.
 *
 * @example
 * certificateMatchesName(der, 'mail.example.net') // true
 */
export function certificateMatchesName(der: Uint8Array, name: string): boolean {
  const certificate = new X509Certificate(der);
  // A trailing dot names the same host (RFC 1034 §3.1); checkHost does not strip it.
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return isIP(bare) !== 0 ? certificate.checkIP(bare) !== undefined : certificate.checkHost(bare) !== undefined;
}

/**
 * The chain a TLS server presented (and OpenSSL completed from the trust
 * anchors), leaf first, as DER: `getPeerCertificate(true)` linked through
 * `issuerCertificate` until a fingerprint repeats (a root points to itself).
 */
export function peerCertificateChain(socket: TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  const seen = new Set<string>();
  let certificate: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (certificate?.raw !== undefined && !seen.has(certificate.fingerprint256)) {
    seen.add(certificate.fingerprint256);
    chain.push(certificate.raw);
    certificate = certificate.issuerCertificate;
  }
  return chain;
}

/**
 * Evidence of the chain on an established TLS socket. The socket must have been
 * opened with `rejectUnauthorized: false` and no identity check (see
 * net/tls.ts), so `authorized` speaks of the chain alone; the name is checked
 * here. Null when the server presented no certificate.
 *
 * @example
 * const evidence = describePeerChain(tlsSocket, 'mail.example.net', new Date());
 * if (evidence?.trusted) sendCredentials();
 */
export function describePeerChain(socket: TLSSocket, nameChecked: string, now: Date): CertificateChainEvidence | null {
  const ders = peerCertificateChain(socket);
  const leaf = ders[0];
  if (leaf === undefined) return null;
  const chainValid = socket.authorized;
  const chainError = chainValid ? null : String(socket.authorizationError ?? 'UNKNOWN');
  const nameMatches = certificateMatchesName(leaf, nameChecked);
  return {
    chain: ders.map((der) => describeCertificate(der, now)),
    chainValid,
    chainError,
    nameChecked,
    nameMatches,
    trusted: chainValid && nameMatches,
  };
}
