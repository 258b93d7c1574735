import { expect } from 'chai';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlan, parsePlan, PLAN_SIZE_LIMIT, Port25Error } from '@port25-audit/core';

async function rejection(promise: Promise<unknown>): Promise<Port25Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(Port25Error);
    return error as Port25Error;
  }
  expect.fail('expected a Port25Error');
}

function thrown(call: () => unknown): Port25Error {
  try {
    call();
  } catch (error) {
    expect(error).to.be.instanceOf(Port25Error);
    return error as Port25Error;
  }
  expect.fail('expected a Port25Error');
}

/** The lines of a text that must not parse (PLAN_UNREADABLE). */
function syntaxProblems(text: string, file: string): readonly string[] {
  const error = thrown(() => parsePlan(text, file));
  expect(error.code).to.equal('PLAN_UNREADABLE');
  expect(error.exitCode).to.equal(2);
  expect(error.message).to.not.contain('\n');
  return error.details;
}

// Nine levels of nine aliases: 9^9 (387 million) strings once expanded.
const BILLION_LAUGHS = [
  'version: 1',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
  '',
].join('\n');

describe('plan loading', () => {
  let directory: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'port25-plan-'));
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  describe('files', () => {
    it('loads a YAML plan and returns it with its digest and the file as given', async () => {
      const file = join(directory, 'plan.yaml');
      await writeFile(file, 'version: 1\nname: Lab\nscope: {dynamic: [203.0.113.0/24]}\n');
      const loaded = await loadPlan(file);
      expect(loaded.file).to.equal(file);
      expect(loaded.plan.name).to.equal('Lab');
      expect(loaded.plan.scope.dynamic).to.deep.equal(['203.0.113.0/24']);
      expect(loaded.digest).to.match(/^sha256:[0-9a-f]{64}$/);
    });

    it('loads a JSON plan', async () => {
      const file = join(directory, 'plan.json');
      await writeFile(file, JSON.stringify({ version: 1, name: 'Lab', scope: { dynamic: ['203.0.113.0/24'] } }, null, 2));
      const loaded = await loadPlan(file);
      expect(loaded.plan.name).to.equal('Lab');
      expect(loaded.digest).to.equal(parsePlan('version: 1\nname: Lab\nscope: {dynamic: [203.0.113.0/24]}\n', 'x.yaml').digest);
    });

    it('accepts a UTF-8 byte order mark and non-ASCII text', async () => {
      const file = join(directory, 'bom.yaml');
      await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('version: 1\nname: Prüfung Süd\n')]));
      expect((await loadPlan(file)).plan.name).to.equal('Prüfung Süd');
    });

    it('says a missing file does not exist and how to write one', async () => {
      const error = await rejection(loadPlan(join(directory, 'missing.yaml')));
      expect(error.code).to.equal('PLAN_UNREADABLE');
      expect(error.message).to.equal(`${join(directory, 'missing.yaml')}: no such file (port25-audit init --out FILE writes an annotated plan)`);
    });

    it('refuses a directory', async () => {
      const error = await rejection(loadPlan(directory));
      expect(error.code).to.equal('PLAN_UNREADABLE');
      expect(error.message).to.equal(`${directory}: is a directory, not a plan file`);
    });

    it('says when the file is not readable', async function () {
      // root reads any file: the permission cannot be denied to it.
      if (process.getuid?.() === 0) this.skip();
      const file = join(directory, 'secret.yaml');
      await writeFile(file, 'version: 1\n');
      await chmod(file, 0o000);
      const error = await rejection(loadPlan(file));
      expect(error.message).to.equal(`${file}: permission denied (the plan must be readable by this user)`);
    });

    it('refuses a file over the size limit without reading it whole', async () => {
      const file = join(directory, 'huge.yaml');
      await writeFile(file, `version: 1\n#${'x'.repeat(PLAN_SIZE_LIMIT)}\n`);
      const error = await rejection(loadPlan(file));
      expect(error.code).to.equal('PLAN_UNREADABLE');
      expect(error.message).to.equal(`${file}: is larger than 1024 KiB; a plan names ranges, not every address`);
      expect(() => parsePlan(`version: 1\n#${'x'.repeat(PLAN_SIZE_LIMIT)}\n`, 'stdin')).to.throw(Port25Error, 'larger than 1024 KiB');
    });

    it('refuses binary files, UTF-16 and bytes that are not UTF-8', async () => {
      const binary = join(directory, 'plan.bin');
      await writeFile(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
      expect((await rejection(loadPlan(binary))).message).to.equal(`${binary}: is a binary file (it contains NUL bytes), not a YAML or JSON plan`);

      const utf16 = join(directory, 'utf16.yaml');
      await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('version: 1\n', 'utf16le')]));
      expect((await rejection(loadPlan(utf16))).message).to.equal(`${utf16}: is UTF-16 text; save it as UTF-8`);

      const latin1 = join(directory, 'latin1.yaml');
      await writeFile(latin1, Buffer.from('version: 1\n# ok\nname: Pr\xfcfung\n', 'latin1'));
      const error = await rejection(loadPlan(latin1));
      expect(error.code).to.equal('PLAN_UNREADABLE');
      expect(error.message).to.equal(`${latin1}:3: is not UTF-8 text (line 3 has other bytes); save the plan as UTF-8`);
    });

    it('recognizes UTF-16 without a byte order mark, and an empty file name', async () => {
      const file = join(directory, 'utf16.yaml');
      await writeFile(file, Buffer.from('version: 1\nname: Lab\n', 'utf16le'));
      expect((await rejection(loadPlan(file))).message).to.equal(`${file}: is UTF-16 text; save it as UTF-8`);
      expect((await rejection(loadPlan(''))).message).to.equal('the plan file name is empty: name a YAML or JSON plan file');
    });

    it('says an empty file is an empty plan', async () => {
      const file = join(directory, 'empty.yaml');
      await writeFile(file, '');
      const error = await rejection(loadPlan(file));
      expect(error.code).to.equal('PLAN_INVALID');
      expect(error.details).to.deep.equal([
        `${file}: the plan is empty; it needs at least "version: 1" (port25-audit init writes an annotated plan)`,
      ]);
    });

    it('names a plan found in a subdirectory by the path the user typed', async () => {
      await mkdir(join(directory, 'plans'), { recursive: true });
      const file = join(directory, 'plans', 'bad.yaml');
      await writeFile(file, 'version: 1\nscope: {dynamic: [203.0.113.0/33]}\n');
      const error = await rejection(loadPlan(file));
      expect(error.details).to.deep.equal([`${file}: scope.dynamic[0]: "203.0.113.0/33" is not a CIDR range`]);
    });
  });

  describe('YAML syntax', () => {
    it('locates errors as file:line:column', () => {
      expect(syntaxProblems('version: 1\nscope:\n  dynamic: [203.0.113.0/24\nname: x\n', 'plan.yaml')[0]).to.match(/^plan\.yaml:\d+:\d+: /);
      expect(syntaxProblems('version: 1\nname: "unterminated\n', 'plan.yaml')).to.deep.equal(['plan.yaml:3:1: Missing closing "quote']);
      expect(syntaxProblems('version: 1\n\tname: x\n', 'plan.yaml')).to.deep.equal(['plan.yaml:2:1: Tabs are not allowed as indentation']);
    });

    it('refuses duplicate keys', () => {
      expect(syntaxProblems('version: 1\nname: a\nsample: {size: 1}\nname: b\n', 'plan.yaml')).to.deep.equal([
        'plan.yaml:4:1: duplicate key "name"',
      ]);
    });

    it('refuses several documents in one file', () => {
      expect(syntaxProblems('version: 1\n---\nversion: 1\n', 'plan.yaml')).to.deep.equal([
        'plan.yaml:2:1: a plan is one YAML document; remove the second "---"',
      ]);
    });

    it('refuses tags and collection keys', () => {
      expect(syntaxProblems('version: 1\nname: !!binary aGVsbG8=\n', 'plan.yaml')).to.deep.equal([
        'plan.yaml:2:7: Unresolved tag: tag:yaml.org,2002:binary',
      ]);
      expect(syntaxProblems('version: 1\nname: !shell rm\n', 'plan.yaml')).to.deep.equal(['plan.yaml:2:7: Unresolved tag: !shell']);
      expect(syntaxProblems('version: 1\n? [a, b]\n: 1\n', 'plan.yaml')).to.deep.equal([
        'plan.yaml:2:3: a key must be plain text, not a list or mapping',
      ]);
    });

    it('refuses an alias bomb at once', () => {
      const started = performance.now();
      const error = thrown(() => parsePlan(BILLION_LAUGHS, 'laughs.yaml'));
      expect(error.code).to.equal('PLAN_UNREADABLE');
      expect(error.message).to.equal('laughs.yaml: expands more than 100 YAML aliases; refusing a possible "billion laughs" document');
      // Generous bound: it is refused before expansion, not after a long stall.
      expect(performance.now() - started).to.be.lessThan(2000);
    });

    it('allows the few aliases a real plan may use', () => {
      const plan = parsePlan('version: 1\nscope:\n  dynamic: &ranges [203.0.113.0/24]\n  exclude: []\nauthorizedRelays: *ranges\n', 'plan.yaml').plan;
      expect(plan.authorizedRelays).to.deep.equal(['203.0.113.0/24']);
    });

    it('refuses nesting deeper than PLAN_NESTING_LIMIT before the parser recurses, and alias cycles', () => {
      expect(syntaxProblems(`version: 1\nname: ${'['.repeat(33)}${']'.repeat(33)}\n`, 'plan.yaml')).to.deep.equal([
        'plan.yaml:2:39: nests lists and mappings more than 32 deep; a plan nests at most 4 (external.mx[0].host)',
      ]);
      expect(syntaxProblems(`{"version": 1, "name": "[[[", "x": ${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`, 'plan.json')[0]).to.match(
        /^plan\.json:1:\d+: nests lists and mappings more than 32 deep/,
      );
      expect(parsePlan(`version: 1\nname: "${'['.repeat(40)}"\n`, 'plan.yaml').plan.name).to.equal('['.repeat(40));
      expect(syntaxProblems('version: 1\nname: &n [*n]\n', 'plan.yaml')).to.deep.equal([
        'plan.yaml: a YAML alias refers to a list or mapping that contains it; write the value out instead',
      ]);
    });

    it('escapes control characters a parser message quotes from the document', () => {
      const [line] = syntaxProblems('>\r\u000e', 'plan.yaml');
      expect(line).to.equal('plan.yaml:1:2: Not a YAML token: \\u000e');
    });

    it('refuses NUL characters in text given directly', () => {
      expect(syntaxProblems('version: 1\0\n', 'stdin')).to.deep.equal(['stdin: is a binary file (it contains NUL bytes), not a YAML or JSON plan']);
    });
  });

  describe('JSON syntax', () => {
    it('reports JSON errors as JSON errors at line:column', () => {
      expect(syntaxProblems('{\n  "version": 1,\n  "name": \n}\n', 'plan.json')).to.deep.equal(['plan.json:4:1: expected a value (found "}")']);
      expect(syntaxProblems('{\n  "version": 1,\n  "name": "Lab",\n}', 'plan.json')).to.deep.equal([
        'plan.json:4:1: expected a property name in double quotes (found "}")',
      ]);
      expect(syntaxProblems('{"version": 1, \'name\': "Lab"}', 'plan.json')).to.deep.equal([
        'plan.json:1:16: unexpected character (found "\'name\'")',
      ]);
    });

    it('refuses comments and duplicate keys in JSON', () => {
      expect(syntaxProblems('{"version": 1} // lab', 'plan.json')).to.deep.equal([
        'plan.json:1:16: comments are not allowed in JSON (use YAML for a commented plan) (found "// lab")',
      ]);
      expect(syntaxProblems('{"version": 1,\n "name": "a",\n "name": "b"}', 'plan.json')).to.deep.equal(['plan.json:3:2: duplicate key "name"']);
    });

    it('reads a JSON document without a .json name as JSON, and a .yaml file as YAML', () => {
      expect(syntaxProblems('{"version": 1, "name": }', 'plan')).to.deep.equal(['plan:1:24: expected a value (found "}")']);
      // Flow YAML is YAML: the same text in a .yaml file is {version: 1, name: null}.
      expect(parsePlan('{"version": 1, "name": }', 'plan.yaml').plan.name).to.equal('Unnamed plan');
    });
  });
});
