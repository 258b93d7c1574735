import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { expect } from 'chai';
import {
  certificateMatchesName,
  describeCertificate,
  loadTrustAnchors,
  Port25Error,
  probeSecureContext,
  probeTlsOptions,
  signatureAlgorithmOf,
  sniName,
} from '@port25-audit/core';
import { createFixtureCa, createSelfSignedCertificate, issueProfile, type FixtureCa } from '@port25-audit/fixtures';
import { Socket } from 'node:net';
import { temporaryDirectory } from './support.js';

const DAY_MS = 86_400_000;

describe('certificate evidence', function () {
  let ca: FixtureCa;
  const now = new Date();

  before(function () {
    ca = createFixtureCa();
  });

  it('describes an RSA leaf: names, issuer, dates, key, signature algorithm, fingerprint', function () {
    const leaf = ca.issue({ names: ['mail.p25s.test', '127.30.4.1'], notAfter: new Date(now.getTime() + 30 * DAY_MS + 3_600_000) });
    const evidence = describeCertificate(leaf.der, now);
    expect(evidence).to.deep.include({
      subject: 'CN=mail.p25s.test, O=port25-audit fixtures',
      subjectAltNames: ['DNS:mail.p25s.test', 'IP Address:127.30.4.1'],
      issuer: 'CN=port25-audit fixture CA, O=port25-audit fixtures',
      daysLeft: 30,
      expired: false,
      notYetValid: false,
      key: { type: 'rsa', bits: 2048, curve: null },
      signatureAlgorithm: { oid: '1.2.840.113549.1.1.11', name: 'sha256WithRSAEncryption', hash: 'sha256' },
      selfSigned: false,
      ca: false,
      fingerprintSha256: leaf.fingerprintSha256,
    });
    expect(Date.parse(evidence.notAfter)).to.be.above(now.getTime());
  });

  it('describes EC keys, ECDSA signatures (which node-forge cannot parse), SHA-1 and weak keys', function () {
    const ecdsa = describeCertificate(createSelfSignedCertificate({ names: ['ec.p25s.test'], key: 'ec' }).der, now);
    expect(ecdsa).to.deep.include({ key: { type: 'ec', bits: 256, curve: 'prime256v1' }, selfSigned: true });
    expect(ecdsa.signatureAlgorithm).to.deep.equal({ oid: '1.2.840.10045.4.3.2', name: 'ecdsa-with-SHA256', hash: 'sha256' });
    expect(describeCertificate(issueProfile(ca, 'sha1-signature', 'a.p25s.test').der, now).signatureAlgorithm.hash).to.equal('sha1');
    expect(describeCertificate(issueProfile(ca, 'weak-key', 'a.p25s.test').der, now).key).to.deep.equal({ type: 'rsa', bits: 1024, curve: null });
    expect(describeCertificate(issueProfile(ca, 'ecdsa', 'a.p25s.test').der, now).signatureAlgorithm.name).to.equal('sha256WithRSAEncryption');
  });

  it('counts days left from the observation, negative once expired', function () {
    const expired = describeCertificate(issueProfile(ca, 'expired', 'a.p25s.test').der, now);
    expect(expired).to.include({ expired: true, notYetValid: false });
    expect(expired.daysLeft).to.be.below(0);
    const future = describeCertificate(issueProfile(ca, 'not-yet-valid', 'a.p25s.test').der, now);
    expect(future).to.include({ expired: false, notYetValid: true });
    expect(describeCertificate(issueProfile(ca, 'expiring-soon', 'a.p25s.test').der, now).daysLeft).to.equal(10);
  });

  it('describes the CA as a self-signed CA', function () {
    expect(describeCertificate(ca.der, now)).to.include({ selfSigned: true, ca: true });
  });

  it('reads no signature algorithm from what is not a certificate', function () {
    expect(signatureAlgorithmOf(Buffer.from('not DER at all'))).to.deep.equal({ oid: 'unknown', name: 'unknown', hash: null });
  });

  it('matches host names (wildcards one label deep), addresses against IP SANs, a trailing dot', function () {
    const leaf = ca.issue({ names: ['*.p25s.test', 'mail.p25s.test', '127.30.4.1'] });
    expect(certificateMatchesName(leaf.der, 'mail.p25s.test')).to.equal(true);
    expect(certificateMatchesName(leaf.der, 'mail.p25s.test.')).to.equal(true);
    expect(certificateMatchesName(leaf.der, 'smtp.p25s.test')).to.equal(true);
    expect(certificateMatchesName(leaf.der, 'a.b.p25s.test')).to.equal(false);
    expect(certificateMatchesName(leaf.der, 'p25s.test')).to.equal(false);
    expect(certificateMatchesName(leaf.der, '127.30.4.1')).to.equal(true);
    expect(certificateMatchesName(leaf.der, '127.30.4.2')).to.equal(false);
  });
});

describe('TLS client settings', function () {
  it('trusts the system roots, plus the plan\'s CA file', async function () {
    expect(await loadTrustAnchors(null)).to.deep.equal([...tls.rootCertificates]);
    const directory = await temporaryDirectory();
    try {
      const ca = createFixtureCa();
      const file = await ca.writeCaFile(join(directory.path, 'ca.pem'));
      const anchors = await loadTrustAnchors(file);
      expect(anchors).to.have.length(tls.rootCertificates.length + 1);
      expect(anchors[anchors.length - 1]?.trim()).to.equal(ca.certPem.trim());
      // The same array while the file is unchanged, so that one secure context serves the whole scan.
      expect(await loadTrustAnchors(file)).to.equal(anchors);
      const other = createFixtureCa();
      await other.writeCaFile(file);
      const changed = await loadTrustAnchors(file);
      expect(changed).to.not.equal(anchors);
      expect(changed[changed.length - 1]?.trim()).to.equal(other.certPem.trim());
    } finally {
      await directory.remove();
    }
  });

  it('refuses an unreadable or empty CA file, naming tls.caFile', async function () {
    const directory = await temporaryDirectory();
    try {
      const empty = join(directory.path, 'empty.pem');
      await writeFile(empty, 'no certificate here\n');
      for (const [file, pattern] of [
        [join(directory.path, 'missing.pem'), /^tls\.caFile: cannot read /],
        [empty, /^tls\.caFile: .* holds no PEM certificate$/],
      ] as const) {
        try {
          await loadTrustAnchors(file);
          expect.fail('loaded');
        } catch (error) {
          expect(error).to.be.instanceOf(Port25Error);
          expect((error as Port25Error).code).to.equal('IO');
          expect((error as Port25Error).message).to.match(pattern);
        }
      }
    } finally {
      await directory.remove();
    }
  });

  it('sends SNI for host names only (RFC 6066 §3)', function () {
    expect(sniName('mail.p25s.test')).to.equal('mail.p25s.test');
    expect(sniName('mail.p25s.test.')).to.equal('mail.p25s.test');
    expect(sniName('192.0.2.1')).to.equal(null);
    expect(sniName('2001:db8::1')).to.equal(null);
    expect(sniName(null)).to.equal(null);
    const socket = new Socket();
    expect(probeTlsOptions(socket, { ca: [], serverName: '192.0.2.1' })).to.not.have.property('servername');
    expect(probeTlsOptions(socket, { ca: [], serverName: 'mail.p25s.test' })).to.include({
      servername: 'mail.p25s.test',
      rejectUnauthorized: false,
    });
    socket.destroy();
  });

  it('builds one secure context per anchor array, shared by every session', async function () {
    const anchors = await loadTrustAnchors(null);
    const socket = new Socket();
    const first = probeTlsOptions(socket, { ca: anchors, serverName: null }).secureContext;
    expect(probeTlsOptions(socket, { ca: anchors, serverName: 'mail.p25s.test' }).secureContext).to.equal(first);
    expect(probeSecureContext(anchors)).to.equal(first);
    expect(probeSecureContext([...anchors])).to.not.equal(first);
    socket.destroy();
    // That the context still negotiates TLS 1.0 is seen end to end in smtp-session.test.ts and submission-probe.test.ts.
  });
});
