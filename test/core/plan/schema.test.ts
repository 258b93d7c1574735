import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { examplePlanYaml, parsePlan, planJsonSchema, type Plan } from '@port25-audit/core';

const require = createRequire(import.meta.url);
/** The schema file as a user of the package finds it. */
const SCHEMA_FILE = require.resolve('@port25-audit/core/plan.schema.json');
const REGENERATE = 'the committed plan.schema.json is out of date: run `npx tsx packages/core/scripts/generate-schemas.ts`';

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
}

/** Every property schema of a JSON Schema, with its path. */
function* properties(schema: unknown, path = ''): Generator<[string, Record<string, unknown>]> {
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as Record<string, unknown>;
  for (const [key, value] of Object.entries((node['properties'] as Record<string, unknown> | undefined) ?? {})) {
    yield [`${path}${key}`, value as Record<string, unknown>];
    yield* properties(value, `${path}${key}.`);
  }
  for (const branch of (node['anyOf'] as unknown[] | undefined) ?? []) yield* properties(branch, path);
  if (node['items'] !== undefined) yield* properties(node['items'], `${path}[].`);
}

// DESIGN.md, "Audit plan": the example, normalized.
const DESIGN_EXAMPLE: Plan = {
  version: 1,
  name: 'Example ISP',
  scope: { dynamic: ['203.0.113.0/24', '2001:db8:100::/56'], hosts: [], exclude: [] },
  authorizedRelays: ['203.0.113.10', '192.0.2.0/28'],
  submission: { servers: ['smtp.example.net'], domain: 'example.net' },
  external: {
    mx: [
      { host: 'mx.example.org', port: 25, expect: 'mx.example.org' },
      { host: '198.51.100.25', port: 25, expect: 'mx.canary.example' },
    ],
    submission: [{ host: 'smtp.example.org', port: 587, expect: 'smtp.example.org' }],
  },
  sample: { size: 256, seed: 1 },
  ports: { smtp: 25, submission: 587, submissions: 465, https: 443 },
  probe: { concurrency: 256, rate: 0, connectTimeoutMs: 3000, dialogTimeoutMs: 15000, ehloName: 'audit.example.net' },
  dns: { servers: [] },
  tls: { caFile: null },
  credentials: { userEnv: 'P25_USER', passwordEnv: 'P25_PASSWORD' },
  attestations: { P4: null },
};

describe('plan JSON Schema and example', () => {
  it('the committed schema file is what the zod source generates', () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')), REGENERATE).to.deep.equal(planJsonSchema());
  });

  it('is a draft 2020-12 schema with an $id, a title and a description', () => {
    expect(planJsonSchema()).to.include({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:port25-audit:schema:plan:1',
      title: 'port25-audit audit plan',
    });
    expect(planJsonSchema()['description']).to.be.a('string').and.contain('version');
  });

  it('describes every field, so editors can show help', () => {
    const fields = [...properties(planJsonSchema())];
    expect(fields.length).to.be.greaterThan(40);
    for (const [path, schema] of fields) expect(schema['description'], path).to.be.a('string').and.not.equal('');
  });

  it('requires only version, shows the defaults and refuses unknown keys', () => {
    const schema = planJsonSchema() as { required: string[]; additionalProperties: boolean; properties: Record<string, { default?: unknown }> };
    expect(schema.required).to.deep.equal(['version']);
    expect(schema.additionalProperties).to.equal(false);
    expect(schema.properties['sample']!.default).to.deep.equal({ size: 256, seed: 1 });
    expect(schema.properties['probe']!.default).to.deep.include({ concurrency: 256, connectTimeoutMs: 3000 });
  });

  it('agrees with the validator on the example, a minimal plan, unknown keys and wrong types', () => {
    const validate = validator();
    expect(validate(parse(examplePlanYaml())), JSON.stringify(validate.errors)).to.equal(true);
    expect(validate({ version: 1 })).to.equal(true);
    expect(validate({ version: 1, scope: { dynamic: null, hosts: [] }, credentials: null })).to.equal(true);
    expect(validate({})).to.equal(false);
    expect(validate({ version: 1, authorizedRelay: [] })).to.equal(false);
    expect(validate({ version: 1, external: { mx: [{ host: 'mx.example.org', porrt: 25 }] } })).to.equal(false);
    expect(validate({ version: 1, ports: { smtp: 70000 } })).to.equal(false);
    expect(validate({ version: 1, sample: { size: 0 } })).to.equal(false);
    expect(validate({ version: 1, credentials: { userEnv: 'lower' , passwordEnv: 'P' } })).to.equal(false);
  });

  describe('examplePlanYaml', () => {
    it('parses, validates and means what DESIGN.md\'s example means', () => {
      expect(parsePlan(examplePlanYaml(), 'plan.yaml').plan).to.deep.equal(DESIGN_EXAMPLE);
    });

    it('writes every section, each with a comment line before it', () => {
      const lines = examplePlanYaml().split('\n');
      const sections = Object.keys(DESIGN_EXAMPLE).filter((key) => key !== 'version');
      for (const section of sections) {
        const index = lines.findIndex((line) => line.startsWith(`${section}:`));
        expect(index, section).to.be.greaterThan(0);
        expect(lines[index - 1], section).to.match(/^# /);
      }
    });

    it('uses only documentation addresses and reserved names (RFC 5737, RFC 3849, RFC 2606)', () => {
      const plan = parsePlan(examplePlanYaml(), 'plan.yaml').plan;
      const addresses = [...plan.scope.dynamic, ...plan.authorizedRelays, ...plan.external.mx.map((canary) => canary.host)].filter((text) => /^[\d.:/]+$|:/.test(text));
      for (const address of addresses) expect(address, address).to.match(/^(?:192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|2001:db8:)/);
      const names = [...plan.submission.servers, plan.submission.domain!, plan.probe.ehloName, 'mx.example.org', 'smtp.example.org'];
      for (const name of names) expect(name, name).to.match(/(?:^|\.)example\.(?:net|org|com)$/);
    });

    it('does not attest anything on the user\'s behalf', () => {
      expect(parsePlan(examplePlanYaml(), 'plan.yaml').plan.attestations.P4).to.equal(null);
    });
  });
});
