import { expect } from 'chai';
import { normalizePlan, parsePlan, Port25Error, type Plan } from '@port25-audit/core';

/** The Port25Error a call throws (fails the test when it throws none or another error). */
function thrown(call: () => unknown): Port25Error {
  try {
    call();
  } catch (error) {
    expect(error).to.be.instanceOf(Port25Error);
    return error as Port25Error;
  }
  expect.fail('expected a Port25Error');
}

/** The problem lines of a YAML plan that must not validate. */
function problems(yaml: string, file = 'plan.yaml'): readonly string[] {
  const error = thrown(() => parsePlan(yaml, file));
  expect(error.code).to.equal('PLAN_INVALID');
  expect(error.exitCode).to.equal(2);
  return error.details;
}

const MINIMAL: Plan = {
  version: 1,
  name: 'Unnamed plan',
  scope: { dynamic: [], hosts: [], exclude: [] },
  authorizedRelays: [],
  submission: { servers: [], domain: null },
  external: { mx: [], submission: [] },
  sample: { size: 256, seed: 1 },
  ports: { smtp: 25, submission: 587, submissions: 465, https: 443 },
  probe: { concurrency: 256, rate: 0, connectTimeoutMs: 3000, dialogTimeoutMs: 15000, ehloName: 'audit.example.net' },
  dns: { servers: [] },
  tls: { caFile: null },
  credentials: null,
  attestations: { P4: null },
};

describe('plan validation', () => {
  describe('defaults', () => {
    it('fills every field of a plan that says only "version: 1"', () => {
      expect(parsePlan('version: 1\n', 'plan.yaml').plan).to.deep.equal(MINIMAL);
    });

    it('treats an empty value (YAML "key:" with nothing after it, or null) as the default', () => {
      const plan = parsePlan('version: 1\nname:\nscope:\n  hosts:\nports: {smtp: null}\nprobe:\n', 'plan.yaml').plan;
      expect(plan).to.deep.equal(MINIMAL);
    });

    it('fills the fields a section leaves out and keeps those it gives', () => {
      const plan = normalizePlan({ version: 1, ports: { smtp: 2525 }, probe: { rate: 50 }, sample: { seed: -7 } }, 'plan.yaml');
      expect(plan.ports).to.deep.equal({ smtp: 2525, submission: 587, submissions: 465, https: 443 });
      expect(plan.probe).to.deep.equal({ ...MINIMAL.probe, rate: 50 });
      expect(plan.sample).to.deep.equal({ size: 256, seed: -7 });
    });

    it('accepts fractional rates (one connection every two seconds)', () => {
      expect(normalizePlan({ version: 1, probe: { rate: 0.5 } }, 'plan.yaml').probe.rate).to.equal(0.5);
    });

    it('returns a fresh plan each time (defaults are not shared between plans)', () => {
      const first = normalizePlan({ version: 1 }, 'a.yaml');
      first.scope.dynamic.push('203.0.113.0/24');
      expect(normalizePlan({ version: 1 }, 'b.yaml').scope.dynamic).to.deep.equal([]);
    });
  });

  describe('canaries', () => {
    it('normalizes a name to {host, port of its role, expect = the name}', () => {
      const plan = parsePlan('version: 1\nexternal: {mx: [mx.example.org], submission: [smtp.example.org]}\n', 'plan.yaml').plan;
      expect(plan.external.mx).to.deep.equal([{ host: 'mx.example.org', port: 25, expect: 'mx.example.org' }]);
      expect(plan.external.submission).to.deep.equal([{ host: 'smtp.example.org', port: 587, expect: 'smtp.example.org' }]);
    });

    it('gives an address no expected greeting (interception cannot be judged)', () => {
      const plan = normalizePlan({ version: 1, external: { mx: ['198.51.100.25'], submission: ['2001:db8::587'] } }, 'plan.yaml');
      expect(plan.external.mx).to.deep.equal([{ host: '198.51.100.25', port: 25, expect: null }]);
      expect(plan.external.submission).to.deep.equal([{ host: '2001:db8::587', port: 587, expect: null }]);
    });

    it('takes default ports from the plan\'s remapped ports', () => {
      const plan = normalizePlan(
        { version: 1, ports: { smtp: 2525, submission: 2587 }, external: { mx: ['127.0.0.1'], submission: [{ host: 'smtp.example.org' }] } },
        'lab.yaml',
      );
      expect(plan.external.mx[0]!.port).to.equal(2525);
      expect(plan.external.submission[0]!.port).to.equal(2587);
    });

    it('keeps an explicit port and expect', () => {
      const plan = parsePlan('version: 1\nexternal:\n  mx: [{host: 198.51.100.25, port: 2525, expect: "mx.canary.example"}]\n', 'plan.yaml').plan;
      expect(plan.external.mx).to.deep.equal([{ host: '198.51.100.25', port: 2525, expect: 'mx.canary.example' }]);
    });
  });

  describe('canonical forms', () => {
    it('writes addresses and ranges canonically and IPv4-mapped addresses as IPv4', () => {
      const plan = normalizePlan(
        {
          version: 1,
          scope: { dynamic: ['2001:DB8:0100:0000::/56'], hosts: ['::ffff:192.0.2.1', '2001:db8::0001'], exclude: ['::ffff:203.0.113.0/120'] },
          authorizedRelays: ['2001:DB8::25'],
        },
        'plan.yaml',
      );
      expect(plan.scope).to.deep.equal({ dynamic: ['2001:db8:100::/56'], hosts: ['192.0.2.1', '2001:db8::1'], exclude: ['203.0.113.0/24'] });
      expect(plan.authorizedRelays).to.deep.equal(['2001:db8::25']);
    });

    it('writes host names in lower case without a trailing dot', () => {
      const plan = normalizePlan(
        { version: 1, submission: { servers: ['SMTP.Example.NET.'], domain: 'Example.Net' }, external: { mx: ['MX.example.org'] }, probe: { ehloName: 'Audit.Example.Net' } },
        'plan.yaml',
      );
      expect(plan.submission).to.deep.equal({ servers: ['smtp.example.net'], domain: 'example.net' });
      expect(plan.external.mx).to.deep.equal([{ host: 'mx.example.org', port: 25, expect: 'mx.example.org' }]);
      expect(plan.probe.ehloName).to.equal('audit.example.net');
    });

    it('writes resolvers canonically, keeping a port only when given', () => {
      const plan = normalizePlan({ version: 1, dns: { servers: ['192.0.2.53', '192.0.2.53:5353', '2001:DB8::53', '[2001:db8::0053]:53'] } }, 'plan.yaml');
      expect(plan.dns.servers).to.deep.equal(['192.0.2.53', '192.0.2.53:5353', '2001:db8::53', '[2001:db8::53]:53']);
    });

    it('fills an attestation\'s optional fields with null', () => {
      const plan = normalizePlan({ version: 1, attestations: { P4: { text: 'Guides reviewed' } } }, 'plan.yaml');
      expect(plan.attestations.P4).to.deep.equal({ text: 'Guides reviewed', url: null, date: null, who: null });
    });
  });

  describe('problems, one line each: file, path, reason', () => {
    it('names a range that is not a CIDR range', () => {
      expect(problems('version: 1\nscope:\n  dynamic: [203.0.113.0/24, "2001:db8::/56", 203.0.113.0/33]\n')).to.deep.equal([
        'plan.yaml: scope.dynamic[2]: "203.0.113.0/33" is not a CIDR range',
      ]);
    });

    it('refuses a range with host bits set and names its network', () => {
      expect(problems('version: 1\nscope: {dynamic: [203.0.113.5/24, "2001:db8:100::1/56"]}\n')).to.deep.equal([
        'plan.yaml: scope.dynamic[0]: "203.0.113.5/24" has host bits set (the network is "203.0.113.0/24")',
        'plan.yaml: scope.dynamic[1]: "2001:db8:100::1/56" has host bits set (the network is "2001:db8:100::/56")',
      ]);
    });

    it('tells a bare address in scope.dynamic how to write it', () => {
      expect(problems('version: 1\nscope: {dynamic: [203.0.113.7]}\n')).to.deep.equal([
        'plan.yaml: scope.dynamic[0]: "203.0.113.7" is an address, not a CIDR range (write "203.0.113.7/32", or list it under scope.hosts)',
      ]);
    });

    it('refuses addresses that are ambiguous or not addresses at all', () => {
      const lines = problems(
        'version: 1\nscope:\n  hosts: [203.0.113.256, 010.0.0.1, "fe80::1%eth0", 203.0.113.0/24, "1", "2001:db8::1::2"]\n',
      );
      expect(lines).to.deep.equal([
        'plan.yaml: scope.hosts[0]: "203.0.113.256" is not an IP address',
        'plan.yaml: scope.hosts[1]: "010.0.0.1" is not an IP address',
        'plan.yaml: scope.hosts[2]: "fe80::1%eth0" is not an IP address',
        'plan.yaml: scope.hosts[3]: "203.0.113.0/24" is a range, not an address (list ranges under scope.dynamic)',
        'plan.yaml: scope.hosts[4]: "1" is not an IP address',
        'plan.yaml: scope.hosts[5]: "2001:db8::1::2" is not an IP address',
      ]);
    });

    it('checks relays and exclusions as addresses or ranges', () => {
      expect(problems('version: 1\nauthorizedRelays: [192.0.2.0/28, relay.example.net]\nscope: {exclude: ["2001:db8::/200"]}\n')).to.deep.equal([
        'plan.yaml: scope.exclude[0]: "2001:db8::/200" is not an address or a CIDR range',
        'plan.yaml: authorizedRelays[1]: "relay.example.net" is not an address or a CIDR range',
      ]);
    });

    it('checks host names per RFC 1123 and explains host:port and URLs', () => {
      const lines = problems(
        [
          'version: 1',
          'submission:',
          '  servers: [smtp_1.example.net, "smtp.example.net:587", "smtp://smtp.example.net", -smtp.example.net, 192.0.2.1]',
          '  domain: "example..net"',
          'probe: {ehloName: "audit example"}',
          '',
        ].join('\n'),
      );
      expect(lines).to.deep.equal([
        'plan.yaml: submission.servers[0]: "smtp_1.example.net" is not a host name or an IP address',
        'plan.yaml: submission.servers[1]: "smtp.example.net:587" is not a host name or an IP address (write the host alone: ports come from "ports", or a canary\'s {host, port})',
        'plan.yaml: submission.servers[2]: "smtp://smtp.example.net" is not a host name or an IP address (write the host alone, not a URL)',
        'plan.yaml: submission.servers[3]: "-smtp.example.net" is not a host name or an IP address',
        'plan.yaml: submission.domain: "example..net" is not a host name (RFC 1123)',
        'plan.yaml: probe.ehloName: "audit example" is not a host name (RFC 1123)',
      ]);
    });

    it('refuses a label over 63 characters and a name over 253', () => {
      const label = 'a'.repeat(64);
      const long = Array.from({ length: 64 }, () => 'abc').join('.');
      const error = thrown(() => normalizePlan({ version: 1, submission: { servers: [`${label}.example.net`, long] } }, 'plan.yaml'));
      expect(error.details).to.have.length(2);
      expect(error.details[0]).to.match(/^plan\.yaml: submission\.servers\[0\]: "a{20,}.*" is not a host name or an IP address$/);
      expect(error.details[1]).to.match(/^plan\.yaml: submission\.servers\[1\]: .* is not a host name or an IP address$/);
    });

    it('checks ports, sizes, seeds, concurrency, rates and timeouts', () => {
      const lines = problems(
        [
          'version: 1',
          'ports: {smtp: 0, submission: 65536, submissions: "465"}',
          'sample: {size: 0, seed: 1.5}',
          'probe: {concurrency: 0, rate: -1, connectTimeoutMs: 0, dialogTimeoutMs: 2.5}',
          '',
        ].join('\n'),
      );
      expect(lines).to.deep.equal([
        'plan.yaml: sample.size: 0 is not a sample size (a positive integer)',
        'plan.yaml: sample.seed: 1.5 is not an integer seed',
        'plan.yaml: ports.smtp: 0 is not a port (an integer from 1 to 65535)',
        'plan.yaml: ports.submission: 65536 is not a port (an integer from 1 to 65535)',
        'plan.yaml: ports.submissions: "465" is not a port (an integer from 1 to 65535)',
        'plan.yaml: probe.concurrency: 0 is not a concurrency (a positive integer)',
        'plan.yaml: probe.rate: -1 is not a rate (connections per second: 0 for unlimited, else at least 0.000001)',
        'plan.yaml: probe.connectTimeoutMs: 0 is not a timeout (milliseconds, from 1 to 2147483647)',
        'plan.yaml: probe.dialogTimeoutMs: 2.5 is not a timeout (milliseconds, from 1 to 2147483647)',
      ]);
    });

    it('refuses timeouts and rates a timer cannot keep (Node fires a longer delay at once)', () => {
      expect(problems('version: 1\nprobe: {connectTimeoutMs: 2147483648, dialogTimeoutMs: 1e12, rate: 0.0000001}\n')).to.deep.equal([
        'plan.yaml: probe.rate: 1e-7 is not a rate (connections per second: 0 for unlimited, else at least 0.000001)',
        'plan.yaml: probe.connectTimeoutMs: 2147483648 is not a timeout (milliseconds, from 1 to 2147483647)',
        'plan.yaml: probe.dialogTimeoutMs: 1000000000000 is not a timeout (milliseconds, from 1 to 2147483647)',
      ]);
      const plan = parsePlan('version: 1\nprobe: {connectTimeoutMs: 2147483647, rate: 0.000001}\n', 'plan.yaml').plan;
      expect(plan.probe).to.include({ connectTimeoutMs: 2147483647, rate: 0.000001 });
    });

    it('writes a negative zero seed or rate as 0 (JSON cannot tell them apart)', () => {
      const plan = parsePlan('version: 1\nsample: {seed: -0}\nprobe: {rate: -0}\n', 'plan.yaml').plan;
      expect(Object.is(plan.sample.seed, 0) && Object.is(plan.probe.rate, 0)).to.equal(true);
    });

    it('refuses lone surrogates and control characters in free text, which UTF-8 and terminals cannot carry', () => {
      const text = JSON.stringify({
        version: 1,
        name: 'Lab \ud800',
        tls: { caFile: 'ca\u0000.pem' },
        external: { mx: [{ host: 'mx.example.org', expect: '\u001b[31mred' }] },
        attestations: { P4: { text: 'ok', url: 'https://example.net/\udc00' } },
      });
      expect(problems(text, 'plan.json')).to.deep.equal([
        'plan.json: name: "Lab \\ud800" is not valid Unicode text (a lone surrogate U+D800); remove it',
        'plan.json: external.mx[0].expect: "\\u001b[31mred" contains a control character (U+001B); remove it',
        'plan.json: tls.caFile: "ca\\u0000.pem" contains a control character (U+0000); remove it',
        'plan.json: attestations.P4.url: "https://example.net/\\udc00" is not valid Unicode text (a lone surrogate U+DC00); remove it',
      ]);
      expect(parsePlan('version: 1\nattestations: {P4: {text: "line one\\n\\tline two"}}\n', 'plan.yaml').plan.attestations.P4?.text).to.equal(
        'line one\n\tline two',
      );
    });

    it('refuses sample sizes beyond exact integers and infinite values', () => {
      expect(problems('version: 1\nsample: {size: 1e300}\nprobe: {rate: .inf}\n')).to.deep.equal([
        'plan.yaml: sample.size: 1e+300 is not a sample size (a positive integer)',
        'plan.yaml: probe.rate: Infinity is not a rate (connections per second: 0 for unlimited, else at least 0.000001)',
      ]);
    });

    it('checks resolvers as host[:port] with IPv6 in brackets', () => {
      expect(problems('version: 1\ndns: {servers: ["[192.0.2.53]:53", "2001:db8::53:99999", "192.0.2.53:0", ns.example.net]}\n')).to.deep.equal(
        [0, 1, 2, 3].map(
          (index) =>
            `plan.yaml: dns.servers[${index}]: ${JSON.stringify(['[192.0.2.53]:53', '2001:db8::53:99999', '192.0.2.53:0', 'ns.example.net'][index])} ` +
            'is not a resolver address (an IP address with an optional port: "192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:53")',
        ),
      );
    });

    it('checks credentials as environment variable names, both required', () => {
      expect(problems('version: 1\ncredentials: {userEnv: p25-user}\n')).to.deep.equal([
        'plan.yaml: credentials.userEnv: "p25-user" is not an environment variable name (capitals, digits and _, e.g. P25_USER)',
        'plan.yaml: credentials.passwordEnv: is required',
      ]);
    });

    it('checks an attestation: text required, an http(s) URL, an ISO date', () => {
      expect(problems('version: 1\nattestations:\n  P4: {url: "ftp://example.net/x", date: 2025-02-30, who: ""}\n')).to.deep.equal([
        'plan.yaml: attestations.P4.text: is required',
        'plan.yaml: attestations.P4.url: "ftp://example.net/x" is not an http(s) URL',
        'plan.yaml: attestations.P4.date: "2025-02-30" is not a date (YYYY-MM-DD)',
        'plan.yaml: attestations.P4.who: is empty',
      ]);
    });

    it('requires version 1', () => {
      expect(problems('name: Lab\n')).to.deep.equal(['plan.yaml: version: is required (a plan starts with "version: 1")']);
      expect(problems('version: 2\n')).to.deep.equal([
        'plan.yaml: version: 2 is not a supported plan version (this port25-audit reads version 1)',
      ]);
      expect(problems('version: "1"\n')).to.deep.equal([
        'plan.yaml: version: "1" is not a supported plan version (this port25-audit reads version 1)',
      ]);
    });

    it('refuses a document that is not a mapping, and an empty one', () => {
      expect(problems('- version: 1\n')[0]).to.match(/^plan\.yaml: \[\{"version":1\}\] is not a mapping \(expected keys: version, name, scope, /);
      expect(problems('')).to.deep.equal(['plan.yaml: the plan is empty; it needs at least "version: 1" (port25-audit init writes an annotated plan)']);
      expect(problems('# nothing but a comment\n')).to.have.length(1);
    });

    it('says how to write a list when a single value is given', () => {
      expect(problems('version: 1\nsubmission: {servers: smtp.example.net}\nscope: {dynamic: 203.0.113.0/24}\n')).to.deep.equal([
        'plan.yaml: scope.dynamic: "203.0.113.0/24" is not a list (write [203.0.113.0/24], or one "- 203.0.113.0/24" line per item)',
        'plan.yaml: submission.servers: "smtp.example.net" is not a list (write [smtp.example.net], or one "- smtp.example.net" line per item)',
      ]);
    });

    it('explains a bad canary inside its own form (name, or {host, port, expect})', () => {
      const lines = problems(
        'version: 1\nexternal:\n  mx: [mx.example.org, {host: 198.51.100.25, port: "x", expext: y}, 42, {port: 25}, {host: "mx_1.example.org"}]\n',
      );
      expect(lines).to.deep.equal([
        'plan.yaml: external.mx[1].port: "x" is not a port (an integer from 1 to 65535)',
        'plan.yaml: external.mx[1].expext: is not a known key; did you mean "expect"?',
        'plan.yaml: external.mx[2]: 42 is not a host name, an address or a mapping {host, port, expect}',
        'plan.yaml: external.mx[3].host: is required',
        'plan.yaml: external.mx[4].host: "mx_1.example.org" is not a host name or an IP address',
      ]);
    });

    it('cuts very long values in error lines and escapes control characters', () => {
      const [line] = problems(`version: 1\nscope: {hosts: ["${'x'.repeat(500)}\\u0007"]}\n`);
      expect(line!.length).to.be.lessThan(200);
      expect(line).to.match(/^plan\.yaml: scope\.hosts\[0\]: "x+… is not an IP address$/);
      const [bell] = problems('version: 1\nname: 7\nscope: {hosts: ["a\\u0007"]}\n').slice(1);
      expect(bell).to.equal('plan.yaml: scope.hosts[0]: "a\\u0007" is not an IP address');
    });
  });

  describe('unknown keys', () => {
    it('suggests the closest known key', () => {
      expect(problems('version: 1\nauthorizedRelay: [203.0.113.10]\nscope: {dynmic: []}\nprobe: {concurency: 5, connect_timeout_ms: 10}\n')).to.deep.equal([
        'plan.yaml: scope.dynmic: is not a known key; did you mean "dynamic"?',
        'plan.yaml: probe.concurency: is not a known key; did you mean "concurrency"?',
        'plan.yaml: probe.connect_timeout_ms: is not a known key; did you mean "connectTimeoutMs"?',
        'plan.yaml: authorizedRelay: is not a known key; did you mean "authorizedRelays"?',
      ]);
    });

    it('says where a key at the wrong level belongs (an indentation slip)', () => {
      expect(problems('version: 1\nscope:\n  dynamic: []\nhosts: [203.0.113.7]\nservers: []\n')).to.deep.equal([
        'plan.yaml: hosts: is not a known key here; "hosts" belongs under "scope" (check the indentation)',
        'plan.yaml: servers: is not a known key here; "servers" belongs under "submission" or "dns" (check the indentation)',
      ]);
    });

    it('lists the known keys when nothing is near', () => {
      expect(problems('version: 1\nattestations: {P5: {text: x}}\ntls: {verify: false}\n')).to.deep.equal([
        'plan.yaml: tls.verify: is not a known key (known keys: caFile)',
        'plan.yaml: attestations.P5: is not a known key (known keys: P4)',
      ]);
    });

    it('refuses __proto__ and constructor like any unknown key, from YAML and JSON', () => {
      expect(problems('version: 1\n__proto__: {name: x}\nscope: {constructor: 1}\n')).to.deep.equal([
        'plan.yaml: scope.constructor: is not a known key (known keys: dynamic, hosts, exclude)',
        'plan.yaml: __proto__: is not a known key (known keys: version, name, scope, authorizedRelays, submission, external, sample, ports, probe, dns, tls, credentials, attestations)',
      ]);
      expect(problems('{"version": 1, "__proto__": {"name": "x"}}', 'plan.json')).to.have.length(1);
    });

    it('quotes keys that are not plain words', () => {
      expect(problems('version: 1\n"two words": 1\n')).to.deep.equal([
        'plan.yaml: ["two words"]: is not a known key (known keys: version, name, scope, authorizedRelays, submission, external, sample, ports, probe, dns, tls, credentials, attestations)',
      ]);
    });
  });

  it('reports every problem at once, naming the file as the user gave it', () => {
    const error = thrown(() =>
      parsePlan(
        'version: 1\nscope: {dynamic: [203.0.113.0/33]}\nports: {smtp: 0}\nexternal: {mx: [{host: 1.2.3.4, porrt: 25}]}\ncolour: blue\n',
        'plans/lab.yaml',
      ),
    );
    expect(error.code).to.equal('PLAN_INVALID');
    expect(error.message).to.equal('plans/lab.yaml: the plan is not valid (4 problems)');
    expect(error.message).to.not.contain('\n');
    expect(error.details).to.deep.equal([
      'plans/lab.yaml: scope.dynamic[0]: "203.0.113.0/33" is not a CIDR range',
      'plans/lab.yaml: external.mx[0].porrt: is not a known key; did you mean "port"?',
      'plans/lab.yaml: ports.smtp: 0 is not a port (an integer from 1 to 65535)',
      'plans/lab.yaml: colour: is not a known key (known keys: version, name, scope, authorizedRelays, submission, external, sample, ports, probe, dns, tls, credentials, attestations)',
    ]);
  });

  it('caps the problem lines of a plan with thousands of mistakes', () => {
    const hosts = Array.from({ length: 5000 }, (_, index) => `bad${index}`);
    const error = thrown(() => normalizePlan({ version: 1, scope: { hosts } }, 'plan.yaml'));
    expect(error.message).to.equal('plan.yaml: the plan is not valid (5000 problems)');
    expect(error.details).to.have.length(101);
    expect(error.details[100]).to.equal('plan.yaml: … and 4900 more problems');
  });
});
