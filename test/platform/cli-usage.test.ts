/**
 * Usage of `anvil`, in-process (runCli): a command group without its subcommand prints its help on stderr
 * and exits 2; every usage error exits 2 with one clean line naming the subcommand's help; every numeric
 * flag of every command refuses values that are not numbers in its range (one shared parser, exact integers).
 */
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { program } from '../../platform/cli/main.js';
import { isNumericParser } from '../../platform/cli/arguments.js';
import { optionParser } from '../../platform/cli/usage.js';
import { anvilInProcess } from '../cli-harness.js';
import { KINDS } from '../../platform/domain/queries.js';

const anvil = (args: string[]) => anvilInProcess(args);

/** Every command of the tree with its path of names ([] for anvil itself). */
const TREE = await program();

function commands(): { path: string[]; cmd: Command }[] {
  const all: { path: string[]; cmd: Command }[] = [];
  const walk = (cmd: Command, path: string[]) => {
    all.push({ path, cmd });
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  walk(TREE, []);
  return all;
}

const longFlag = (o: Option) => o.long ?? o.short!;
/** A value placeholder that says the flag takes a number (`--severity <s>` picks from choices instead). */
const looksNumeric = (o: Option) => /<(n|id|s|seconds|count)>/.test(o.flags) && !o.argChoices;
const ONE_LINE_USAGE = (path: string[]) => new RegExp(`^ANVIL_ERR_USAGE: [^\\n]+; see anvil ${[...path, '--help'].join(' ')}\\n$`);

describe('anvil usage', () => {
  it('prints the help of anvil and of every command group on stderr, exit 2, when the subcommand is missing', async () => {
    const groups = commands().filter(({ cmd }) => cmd.commands.length > 0);
    expect(groups.map((g) => g.path.join(' '))).toEqual(
      expect.arrayContaining(['', 'cluster', 'net', 'host', 'token', 'volume', 'node', 'user']),
    );
    for (const { path } of groups) {
      const r = await anvil(path);
      expect([r.code, r.stdout], `anvil ${path.join(' ')}`).toEqual([2, '']);
      expect(r.stderr, `anvil ${path.join(' ')}`).toMatch(
        new RegExp(`^Usage: ${['anvil', ...path].join(' ')} \\[options\\] \\[command\\]\\n(.|\\n)*Commands:\\n`),
      );
      // Asked for, help is no error: stdout, exit 0.
      const asked = await anvil([...path, '--help']);
      expect([asked.code, asked.stderr, asked.stdout]).toEqual([0, '', r.stderr]);
    }
    expect((await anvil(['help', 'cluster'])).code).toBe(0);
  });

  it('says what is wrong in one line, names the subcommand help, and exits 2', async () => {
    const cases: [string[], string][] = [
      [['runn'], "ANVIL_ERR_USAGE: unknown command 'runn' (did you mean run?); see anvil --help\n"],
      [['volume', 'craete'], "ANVIL_ERR_USAGE: unknown command 'craete' (did you mean create?); see anvil volume --help\n"],
      [
        ['run', 'j.fio', '--output-format', 'xml'],
        "ANVIL_ERR_USAGE: option '--output-format <format>' argument 'xml' is invalid: allowed choices are normal, json, json+; see anvil run --help\n",
      ],
      [
        ['run', 'j.fio', '--profile', ''],
        "ANVIL_ERR_USAGE: option '--profile <name|path>' argument '' is invalid: it is empty; give a value or leave the option out; see anvil run --help\n",
      ],
      [['get', 'nodess'], `ANVIL_ERR_USAGE: "nodess" is not a kind; kinds: ${KINDS.join(', ')}; see anvil get --help\n`],
      [
        ['get', 'pods', '-n', 'Bad NS'],
        "ANVIL_ERR_USAGE: option '-n, --namespace <ns>' argument 'Bad NS' is invalid: a namespace is lower-case letters, digits and '-', at most 63 characters; see anvil get --help\n",
      ],
      [['cluster', 'create', 'c'], "ANVIL_ERR_USAGE: required option '--nodes <n>' not specified; see anvil cluster create --help\n"],
      [['run'], "ANVIL_ERR_USAGE: missing required argument 'jobfile'; see anvil run --help\n"],
      [['run', 'j.fio', '--bogus'], "ANVIL_ERR_USAGE: unknown option '--bogus'; see anvil run --help\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await anvil(args);
      expect([r.code, r.stderr, r.stdout], args.join(' ')).toEqual([2, stderr, '']);
    }
  });

  it('parses a seed alike in every command: a whole number within 2^53 - 1, never rounded or NaN', async () => {
    const seeded = commands().filter(({ cmd }) => cmd.options.some((o) => o.long === '--seed'));
    expect(seeded.map((s) => s.path.join(' ')).sort()).toEqual(['run', 'start', 'tco', 'validate']);
    for (const { path, cmd } of seeded) {
      const seedOption = cmd.options.find((o) => o.long === '--seed')!;
      const parse = optionParser(seedOption) as (v: string) => number;
      expect(parse('9007199254740991'), path.join(' ')).toBe(Number.MAX_SAFE_INTEGER);
      expect(parse('0')).toBe(0);
      for (const bad of ['abc', '9007199254740992', '1.5', '-3', '1e3']) {
        const r = await anvil([...path, ...cmd.registeredArguments.map(() => 'x'), '--seed', bad]);
        expect([r.code, r.stderr], `anvil ${path.join(' ')} --seed ${bad}`).toEqual([2, expect.stringMatching(ONE_LINE_USAGE(path))]);
        expect(r.stderr).toContain('a seed is a whole number from 0 to 9007199254740991');
      }
    }
  });

  it('refuses bad values of every numeric flag of every command, before the command runs', async () => {
    const flags = commands().flatMap(({ path, cmd }) =>
      cmd.options.filter((o) => isNumericParser(optionParser(o))).map((o) => ({ path, option: o })),
    );
    // Every flag that takes a number uses the shared parsers (arguments.ts): new commands included.
    const unparsed = commands().flatMap(({ path, cmd }) =>
      cmd.options.filter((o) => looksNumeric(o) && !isNumericParser(optionParser(o))).map((o) => `${path.join(' ')} ${o.flags}`),
    );
    expect(unparsed).toEqual([]);
    expect(flags.length).toBeGreaterThan(20);
    expect(flags.map((f) => `${f.path.join(' ')} ${longFlag(f.option)}`)).toEqual(
      expect.arrayContaining([
        'run --seed',
        'run --timeout',
        'validate --seed',
        'cluster create --nodes',
        'net run --duration',
        'serve --port',
        'events --limit',
        'tco --samples',
        'volume create --size',
        'perf-tier create --storage-iops',
      ]),
    );
    const BAD = ['abc', '', ' ', '-1', 'NaN', 'Infinity', '1e400', '12abc', '0x10', '99999999999999999999'];
    for (const { path, option } of flags) {
      for (const bad of BAD) {
        const r = await anvil([...path, longFlag(option), bad]);
        const what = `anvil ${path.join(' ')} ${longFlag(option)} '${bad}'`;
        expect([r.code, r.stdout], what).toEqual([2, '']);
        expect(r.stderr, what).toMatch(ONE_LINE_USAGE(path));
        expect(r.stderr, what).toContain(`option '${option.flags}' argument '${bad}' is invalid: `);
      }
    }
  });

  it('keeps whole numbers whole and exact', async () => {
    for (const args of [
      ['cluster', 'create', 'c', '--nodes', '2.5'],
      ['events', '--limit', '1.0'],
      ['serve', '--port', '65536'],
      ['tco', 's.yaml', '--samples', '0'],
    ]) {
      const r = await anvil(args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(/is invalid: use a whole number from \d+ to \d+/)]);
    }
  });
});
