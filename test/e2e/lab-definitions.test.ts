/**
 * The namespace lab's definitions, without root: the addresses stay in
 * documentation ranges, the plan is one the CLI accepts, each scenario's
 * router ruleset says what the scenario claims, templates refuse typos, and
 * the suite's skip-or-fail rule for machines that cannot run the lab.
 */
import { expect } from 'chai';
import { normalizePlan, parseRange, rangeContains, sampleSize } from '@port25-audit/core';
import {
  ADDRESSES,
  CREDENTIAL_ENV,
  LAB_ROLES,
  labInstance,
  labPlan,
  labUnavailable,
  NAMES,
  PRACTICE_IDS,
  routerRuleset,
  SCENARIOS,
  scenarioNamed,
  submissionOverrides,
  whenLabUnavailable,
  type MachineFacts,
} from '../../lab/src/index.js';
import { fillTemplate } from '../../lab/src/templates.js';

/** RFC 5737 and RFC 3849 documentation ranges, and IPv6 link-local (RFC 4291 §2.5.6) for the router link. */
const DOCUMENTATION = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', 'fe80::/10'].map((text) => parseRange(text)!);

function addressesIn(value: unknown): string[] {
  if (typeof value === 'string') return /^[0-9a-f:.]+(\/\d+)?$/i.test(value) && /[.:]/.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(addressesIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(addressesIn);
  return [];
}

function machine(overrides: Partial<MachineFacts> & { missing?: string[] }): MachineFacts {
  const missing = overrides.missing ?? [];
  return {
    platform: overrides.platform ?? 'linux',
    uid: 'uid' in overrides ? overrides.uid : 0,
    exists: (path) => !missing.some((name) => path.endsWith(`/${name}`)),
  };
}

describe('lab: definitions (no root needed)', function () {
  it('uses only documentation addresses and reserved names', function () {
    const addresses = addressesIn(ADDRESSES);
    expect(addresses.length).to.be.greaterThan(20);
    for (const text of addresses) {
      const range = parseRange(text);
      expect(range, text).to.not.equal(null);
      const first = text.split('/')[0]!;
      expect(DOCUMENTATION.some((documentation) => rangeContains(documentation, first)), text).to.equal(true);
    }
    for (const name of Object.values(NAMES)) expect(name, name).to.match(/(^|\.)example$/);
  });

  it('names the namespaces of an instance exactly, with the lab prefix', function () {
    expect(Object.values(labInstance().namespaces)).to.deep.equal(['p25lab-inet', 'p25lab-router', 'p25lab-isp', 'p25lab-cust']);
    expect(Object.values(labInstance('e2e').namespaces)).to.deep.equal(['p25lab-e2e-inet', 'p25lab-e2e-router', 'p25lab-e2e-isp', 'p25lab-e2e-cust']);
    expect(() => labInstance('../x')).to.throw('lowercase letters and digits');
    expect(LAB_ROLES).to.have.length(4);
  });

  it('writes a plan the CLI accepts, whose sample is a census of the dynamic ranges', function () {
    const plan = normalizePlan(labPlan('compliant', '/tmp/lab/ca.pem'), 'plan.json');
    expect(plan.scope.dynamic).to.deep.equal([ADDRESSES.customers.dynamic4, ADDRESSES.customers.dynamic6]);
    expect(plan.external.mx).to.deep.equal([{ host: NAMES.mxCanary, port: 25, expect: NAMES.mxCanary }]);
    expect(plan.credentials).to.deep.equal(CREDENTIAL_ENV);
    // 128 + 128 addresses, less the authorized business relay inside the range: every one is probed.
    expect(sampleSize(plan)).to.equal(255n);
    expect(plan.sample.size).to.be.at.least(255);
  });

  it('gives every scenario a status for each practice, with unique names', function () {
    expect(new Set(SCENARIOS.map((scenario) => scenario.name)).size).to.equal(SCENARIOS.length);
    for (const scenario of SCENARIOS) expect(Object.keys(scenario.expected)).to.deep.equal([...PRACTICE_IDS]);
    expect(SCENARIOS.map((scenario) => scenario.name)).to.include.members([
      'compliant',
      'outbound-25-open',
      'inbound-25-open',
      'open-relay',
      'auth-before-tls',
      'no-starttls',
      'outbound-587-blocked',
      'redirect-25',
      'rejects',
      'ipv6-leak',
    ]);
    expect(() => scenarioNamed('nope')).to.throw('the scenarios are: compliant');
  });

  describe('router rulesets', function () {
    const ruleset = (name: string): string => routerRuleset(name, scenarioNamed(name).policy);

    it('compliant: drops 25 both ways for IPv4 and IPv6, except the authorized business relay', function () {
      const text = ruleset('compliant');
      expect(text).to.match(/^flush ruleset$/m);
      expect(text).to.include('table inet p25lab_policy');
      expect(text).to.include('iifname "cust0" oifname "inet0" tcp dport 25 ip saddr 203.0.113.100 accept\n    iifname "cust0" oifname "inet0" tcp dport 25 drop');
      expect(text).to.include('iifname "inet0" oifname "cust0" tcp dport 25 ip daddr 203.0.113.100 accept\n    iifname "inet0" oifname "cust0" tcp dport 25 drop');
      expect(text).to.not.include('587');
      expect(text).to.not.include('dnat');
    });

    it('each scenario changes what it says it changes', function () {
      expect(ruleset('outbound-25-open')).to.not.include('oifname "inet0" tcp dport 25 drop');
      expect(ruleset('inbound-25-open')).to.not.include('oifname "cust0" tcp dport 25 drop');
      expect(ruleset('outbound-587-blocked')).to.include('iifname "cust0" oifname "inet0" tcp dport 587 drop');
      expect(ruleset('redirect-25')).to.include('dnat to 192.0.2.25');
      expect(ruleset('rejects')).to.include('reject with icmpx type admin-prohibited').and.include('reject with tcp reset');
      expect(ruleset('ipv6-leak')).to.include('table ip p25lab_policy').and.not.include('table inet');
      for (const name of ['open-relay', 'auth-before-tls', 'no-starttls']) expect(ruleset(name).replace(`"${name}"`, '')).to.equal(ruleset('compliant').replace('"compliant"', ''));
    });

    it('leaves no placeholder unfilled', function () {
      for (const scenario of SCENARIOS) expect(ruleset(scenario.name)).to.not.include('{{');
    });
  });

  it('configures the MSA profiles as named', function () {
    expect(submissionOverrides('compliant').options).to.include.members(['smtpd_tls_security_level=encrypt', 'smtpd_tls_auth_only=yes']);
    expect(submissionOverrides('open-relay').options).to.include('mynetworks=0.0.0.0/0');
    expect(submissionOverrides('auth-before-tls').options).to.include('smtpd_tls_auth_only=no');
    expect(submissionOverrides('no-starttls')).to.deep.include({ implicitTls: false });
    expect(submissionOverrides('no-starttls').options).to.include('smtpd_tls_security_level=none');
  });

  it('refuses a template value without a placeholder, and a placeholder without a value', function () {
    const values = { SCENARIO: 'x', FAMILY: 'inet', FORWARD_RULES: '', NAT_TABLE: '' };
    expect(fillTemplate('nftables/router.nft', values)).to.include('table inet p25lab_policy');
    expect(() => fillTemplate('nftables/router.nft', { ...values, TYPO: 'y' })).to.throw('no placeholder for TYPO');
    const { NAT_TABLE: _dropped, ...missing } = values;
    expect(() => fillTemplate('nftables/router.nft', missing)).to.throw('{{NAT_TABLE}} has no value');
  });

  describe('machines that cannot run the lab', function () {
    it('says why: not Linux, not root, a missing package (with the install command), no CLI build', function () {
      expect(labUnavailable(machine({ platform: 'darwin' }))).to.include({ kind: 'platform' });
      expect(labUnavailable(machine({ uid: 1000 }))).to.include({ kind: 'root' });
      const missing = labUnavailable(machine({ missing: ['dovecot'] }))!;
      expect(missing.kind).to.equal('missing');
      expect(missing.reason).to.include('dovecot (Debian package dovecot-core)').and.include('apt-get install');
      expect(labUnavailable(machine({ missing: ['index.js'] }))!.reason).to.include('npm run build');
      expect(labUnavailable(machine({}))).to.equal(null);
    });

    it('skips without root or packages, but fails in CI as root when a package is missing', function () {
      const missing = labUnavailable(machine({ missing: ['postfix'] }))!;
      const notRoot = labUnavailable(machine({ uid: 1000 }))!;
      expect(whenLabUnavailable(missing, {})).to.equal('skip');
      expect(whenLabUnavailable(missing, { CI: 'true' })).to.equal('fail');
      expect(whenLabUnavailable(notRoot, { CI: 'true' })).to.equal('skip');
    });
  });
});
