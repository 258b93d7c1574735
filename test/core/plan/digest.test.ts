import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { canonicalJson, normalizePlan, parsePlan, planDigest } from '@port25-audit/core';

describe('plan digest', () => {
  describe('canonicalJson', () => {
    it('sorts keys recursively and writes no whitespace', () => {
      expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'x' }], c: true } })).to.equal('{"a":{"c":true,"d":[3,{"y":"x","z":null}]},"b":1}');
    });

    it('sorts by UTF-16 code units (RFC 8785 §3.2.3), not by locale', () => {
      expect(canonicalJson({ b: 0, B: 0, a: 0, é: 0, '10': 0, '9': 0 })).to.equal('{"10":0,"9":0,"B":0,"a":0,"b":0,"é":0}');
    });

    it('leaves out undefined members as JSON.stringify does, and writes them as null in arrays', () => {
      expect(canonicalJson({ a: undefined, b: [undefined, 1] })).to.equal('{"b":[null,1]}');
    });

    it('escapes strings as JSON and keeps numbers in their shortest form', () => {
      expect(canonicalJson(['a"\n\u0007', 1e21, 0.1, -0, 2 ** 53])).to.equal('["a\\"\\n\\u0007",1e+21,0.1,0,9007199254740992]');
    });

    it('refuses what has no JSON form', () => {
      expect(() => canonicalJson(1n)).to.throw(TypeError);
      expect(() => canonicalJson(undefined)).to.throw(TypeError);
      const cycle: Record<string, unknown> = {};
      cycle['self'] = cycle;
      expect(() => canonicalJson(cycle)).to.throw(TypeError, 'cycle');
    });

    it('allows the same object twice when it is not a cycle', () => {
      const shared = { a: 1 };
      expect(canonicalJson({ x: shared, y: shared })).to.equal('{"x":{"a":1},"y":{"a":1}}');
    });
  });

  describe('planDigest', () => {
    it('is sha256 of the canonical JSON of the normalized plan', () => {
      const plan = normalizePlan({ version: 1 }, 'plan.yaml');
      const expected = createHash('sha256').update(canonicalJson(plan)).digest('hex');
      expect(planDigest(plan)).to.equal(`sha256:${expected}`);
    });

    it('is the same for equal plans written in another key order, in YAML or JSON, or with defaults spelled out', () => {
      const yaml = parsePlan('version: 1\nname: Lab\nscope:\n  dynamic: [203.0.113.0/24]\nsample: {size: 256, seed: 7}\n', 'plan.yaml');
      const reordered = parsePlan('sample:\n  seed: 7\nscope:\n  dynamic: ["203.0.113.0/24"]\nname: Lab\nversion: 1\n', 'other.yaml');
      const json = parsePlan(JSON.stringify({ scope: { dynamic: ['203.0.113.0/24'], exclude: [] }, version: 1, sample: { seed: 7 }, name: 'Lab' }), 'plan.json');
      const spelled = parsePlan('version: 1\nname: Lab\nscope: {dynamic: [203.0.113.0/24], hosts: [], exclude: []}\nsample: {size: 256, seed: 7}\nports: {smtp: 25}\ncredentials: null\n', 'p.yaml');
      expect(reordered.digest).to.equal(yaml.digest);
      expect(json.digest).to.equal(yaml.digest);
      expect(spelled.digest).to.equal(yaml.digest);
    });

    it('is the same for the same addresses and names written differently', () => {
      const a = parsePlan('version: 1\nscope: {dynamic: ["2001:DB8:100::/56"]}\nsubmission: {servers: [SMTP.Example.NET.]}\n', 'a.yaml');
      const b = parsePlan('version: 1\nscope: {dynamic: ["2001:db8:100:0::/56"]}\nsubmission: {servers: [smtp.example.net]}\n', 'b.yaml');
      expect(a.digest).to.equal(b.digest);
    });

    it('differs when anything that matters differs', () => {
      const base = parsePlan('version: 1\nsample: {seed: 1}\n', 'plan.yaml').digest;
      expect(parsePlan('version: 1\nsample: {seed: 2}\n', 'plan.yaml').digest).to.not.equal(base);
      expect(parsePlan('version: 1\nexternal: {mx: [mx.example.org]}\n', 'plan.yaml').digest).to.not.equal(base);
      expect(
        parsePlan('version: 1\nexternal: {mx: [{host: mx.example.org, expect: other}]}\n', 'plan.yaml').digest,
      ).to.not.equal(parsePlan('version: 1\nexternal: {mx: [mx.example.org]}\n', 'plan.yaml').digest);
    });

    it('does not depend on the file name', () => {
      expect(parsePlan('version: 1\n', 'a.yaml').digest).to.equal(parsePlan('version: 1\n', '/elsewhere/b.yaml').digest);
    });
  });
});
