import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { expect } from 'chai';
import { countStatuses, worstStatus, type Report } from '@port25-audit/core';
import { renderJson } from '@port25-audit/reporters';
import { FIXTURE_NAMES, fixtureText, loadReport, REPO_ROOT } from './report-fixtures.js';

// ajv-formats is CommonJS: under NodeNext its plugin function is the namespace's `default`.
const addFormats = (ajvFormats as unknown as { default: (ajv: Ajv2020) => Ajv2020 }).default;
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validateReport = ajv.compile(
  JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'core', 'schema', 'report.schema.json'), 'utf8')) as object,
);

/** The same report with the key order of every model object reversed; evidence and message params keep the order their check wrote. */
function reversedKeys(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => reversedKeys(item));
  if (value === null || typeof value !== 'object' || key === 'evidence' || key === 'params') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v, k)]));
}

describe('reporters: fixture reports', () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}.json validates against the shipped report.schema.json`, () => {
      const valid = validateReport(loadReport(name));
      expect(valid, ajv.errorsText(validateReport.errors)).to.equal(true);
    });

    it(`${name}.json is consistent: practice status is the worst of its checks, counts add up`, () => {
      const report = loadReport(name);
      expect(report.practices.map((practice) => practice.id)).to.deep.equal(['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
      for (const practice of report.practices) {
        expect(practice.status, practice.id).to.equal(worstStatus(practice.checks.map((check) => check.status)));
      }
      expect(report.status).to.equal(worstStatus(report.practices.map((practice) => practice.status)));
      expect(report.counts).to.deep.equal(countStatuses(report.practices.flatMap((practice) => practice.checks)));
    });
  }

  it('together cover every status, both vantages, both families and the hostile strings', () => {
    const checks = FIXTURE_NAMES.flatMap((name) => loadReport(name).practices.flatMap((practice) => practice.checks));
    expect(new Set(checks.map((check) => check.status))).to.have.keys('pass', 'warn', 'fail', 'skip', 'error');
    expect(new Set(checks.map((check) => check.family).filter(Boolean))).to.have.keys('IPv4', 'IPv6');
    expect(new Set(checks.map((check) => check.vantage))).to.include.keys('inside', 'outside', 'any');
    const strings: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') strings.push(value);
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect(loadReport('hostile'));
    const hostile = strings.join('\n');
    for (const needle of ['<script>', ']]>', '\u0000', '\u0007', '\u001b[31m', '\u001b]8;;', '\u009b', '\ud800', '\udfff', '\ufffe', '\u202e', '=HYPERLINK(', 'A'.repeat(3000)]) {
      expect(hostile.includes(needle), JSON.stringify(needle)).to.equal(true);
    }
  });
});

describe('reporters: renderJson', () => {
  // The fixture files are the JSON goldens: each is exactly what renderJson writes for it.
  for (const name of FIXTURE_NAMES) {
    it(`writes ${name}.json byte for byte`, () => {
      expect(renderJson(loadReport(name))).to.equal(fixtureText(name));
    });
  }

  it('puts model keys in the documented order whatever order the report object has', () => {
    const report = loadReport('mixed');
    const shuffled = reversedKeys(report) as Report;
    expect(Object.keys(shuffled)[0]).to.equal('counts');
    const text = renderJson(shuffled);
    expect(text).to.equal(renderJson(report));
    expect(Object.keys(JSON.parse(text) as object)).to.deep.equal([
      'schemaVersion',
      'tool',
      'generatedAt',
      'plan',
      'vantages',
      'status',
      'practices',
      'counts',
    ]);
    const check = (JSON.parse(text) as Report).practices[0]!.checks[0]!;
    expect(Object.keys(check)).to.deep.equal(['id', 'target', 'vantage', 'status', 'summary', 'evidence', 'address', 'port', 'family']);
  });

  it('indents by two spaces, ends with one newline and round-trips hostile strings exactly', () => {
    const report = loadReport('hostile');
    const text = renderJson(report);
    expect(text.startsWith('{\n  "schemaVersion": 1,\n')).to.equal(true);
    expect(text.endsWith('}\n')).to.equal(true);
    expect(text.endsWith('\n\n')).to.equal(false);
    expect(JSON.parse(text)).to.deep.equal(report);
    // Control bytes and lone surrogates travel as JSON escapes, never raw.
    expect(text).to.not.match(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).to.not.match(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(text).to.include('\\ud800').and.include('\\u001b[31m');
  });

  it('drops undefined fields instead of writing them', () => {
    const report = loadReport('compliant');
    const check = report.practices[3]!.checks[0]!;
    expect(check.address).to.equal(undefined);
    const withUndefined = { ...report, practices: report.practices.map((p) => ({ ...p, checks: p.checks.map((c) => ({ ...c, message: c.message ?? undefined })) })) };
    expect(renderJson(withUndefined as Report)).to.equal(renderJson(report));
  });
});
