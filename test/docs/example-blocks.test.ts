/**
 * The example-block format of the documentation: parsing of small inline pages, the output matcher
 * (`...`, `[..]`, trailing spaces), exit codes, and requirements (skip on a user's machine, fail in CI).
 * No anvil runs: the one session test runs bash's echo.
 */
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockProblems, ExampleFormatError, outputMatches, parseExamples, requirementVerdict } from './example-blocks.js';
import { ExampleSession, exampleEnvironment, exampleFiles, missingRequirements, scratchFolder } from './example-runner.js';

const page = (...lines: string[]) => lines.join('\n');

describe('parseExamples', () => {
  it('reads marked console blocks only, with their settings, commands, comments and output', () => {
    const blocks = parseExamples(
      page(
        '# Guide',
        '```console',
        '$ not an example',
        '```',
        '<!-- example -->',
        '```console',
        '$ anvil run job.fio \\',
        '    --seed 7',
        '# a comment on the command',
        'line one',
        '# output, not a comment',
        '$ anvil serve --port 18100 &',
        '$ echo done',
        'done',
        '```',
        '',
        '<!-- example: requires=fio,root exit=2 output=any -->',
        '```console',
        '$ anvil nope',
        '```',
      ),
      'docs/guide.md',
    );
    expect(blocks).toEqual([
      {
        file: 'docs/guide.md',
        line: 6,
        requires: [],
        exit: 0,
        outputAny: false,
        steps: [
          { line: 7, command: 'anvil run job.fio \\\n    --seed 7', background: false, expected: ['line one', '# output, not a comment'] },
          { line: 12, command: 'anvil serve --port 18100', background: true, expected: [] },
          { line: 13, command: 'echo done', background: false, expected: ['done'] },
        ],
      },
      {
        file: 'docs/guide.md',
        line: 18,
        requires: ['fio', 'root'],
        exit: 2,
        outputAny: true,
        steps: [{ line: 19, command: 'anvil nope', background: false, expected: [] }],
      },
    ]);
  });

  it('refuses a block written against the format, naming the file and line', () => {
    const refusal = (text: string) => {
      try {
        parseExamples(text, 'README.md');
      } catch (error) {
        expect(error).toBeInstanceOf(ExampleFormatError);
        return (error as Error).message;
      }
      return expect.fail('the page was accepted');
    };
    expect(refusal(page('<!-- example: exit=x -->', '```console', '$ true', '```'))).toMatch(
      /^README.md:1: "exit=x" is not a setting.*allowed: requires=/,
    );
    expect(refusal(page('<!-- example: timeout=5 -->', '```console', '$ true', '```'))).toMatch(/"timeout=5" is not a setting/);
    expect(refusal(page('<!-- example -->', '```sh', 'true', '```'))).toMatch(/^README.md:2: an example block is a ```console fence/);
    expect(refusal(page('<!-- example -->', '```console', 'output first', '```'))).toMatch(
      /^README.md:3: an example block starts with a command/,
    );
    expect(refusal(page('<!-- example -->', '```console', '```'))).toMatch(/has no command/);
    expect(refusal(page('<!-- example -->', '```console', '$ true'))).toMatch(/not closed/);
    expect(refusal(page('<!-- example -->', '```console', '$ anvil serve &', 'listening', '```'))).toMatch(
      /^README.md:3: a background command/,
    );
  });

  it('skips fenced code that merely shows a marker', () => {
    expect(parseExamples(page('````markdown', '<!-- example -->', '```console', '$ true', '```', '````'), 'x.md')).toEqual([]);
  });
});

describe('outputMatches', () => {
  it('compares line by line after dropping trailing spaces and trailing blank lines', () => {
    expect(outputMatches(['a', 'b'], 'a  \nb\n\n\n')).toBe(true);
    expect(outputMatches(['a', 'b', ''], 'a\nb')).toBe(true);
    expect(outputMatches(['a', 'b'], 'a\nc\n')).toBe(false);
    expect(outputMatches(['a'], 'a\nb\n')).toBe(false);
    expect(outputMatches([], '')).toBe(true);
    expect(outputMatches([], 'something\n')).toBe(false);
    expect(outputMatches([' a'], 'a\n')).toBe(false);
  });

  it('matches any text within a line at [..], and regex characters literally', () => {
    expect(outputMatches(['took [..] s (p99 [..])'], 'took 1.25 s (p99 3 ms)\n')).toBe(true);
    expect(outputMatches(['took [..] s'], 'took 1.25 ms\n')).toBe(false);
    expect(outputMatches(['[..]'], 'x\ny\n')).toBe(false);
    expect(outputMatches(['a.b (c)*'], 'axb (c)*\n')).toBe(false);
    expect(outputMatches(['a.b (c)*'], 'a.b (c)*\n')).toBe(true);
  });

  it('matches any number of lines, none included, at a line ...', () => {
    expect(outputMatches(['head', '...', 'tail'], 'head\n1\n2\n3\ntail\n')).toBe(true);
    expect(outputMatches(['head', '...', 'tail'], 'head\ntail\n')).toBe(true);
    expect(outputMatches(['...'], '')).toBe(true);
    expect(outputMatches(['head', '...', 'tail'], 'head\n1\ntail\nextra\n')).toBe(false);
    expect(outputMatches(['...', 'x [..]', '...'], 'a\nx 1\nb\n')).toBe(true);
    expect(outputMatches(['...', 'x [..]', '...'], 'a\ny 1\nb\n')).toBe(false);
  });
});

describe('blockProblems', () => {
  const [block] = parseExamples(
    page('<!-- example: exit=1 -->', '```console', '$ make', 'built', '$ check', 'failed', '```'),
    'docs/ci.md',
  );

  it('expects exit 0 from every command but the last, which exits as exit= says', () => {
    expect(
      blockProblems(block!, [
        { exitCode: 0, output: 'built\n' },
        { exitCode: 1, output: 'failed\n' },
      ]),
    ).toEqual([]);
    expect(
      blockProblems(block!, [
        { exitCode: 0, output: 'built\n' },
        { exitCode: 0, output: 'failed\n' },
      ]),
    ).toEqual(['docs/ci.md:5: $ check\nexited 0, documented 1; it printed:\nfailed\n']);
    expect(blockProblems(block!, [{ exitCode: 2, output: 'oops\n' }])).toEqual([
      'docs/ci.md:3: $ make\nexited 2, documented 0; it printed:\noops\n',
    ]);
  });

  it('reports output that differs, and does not compare it with output=any', () => {
    expect(
      blockProblems(block!, [
        { exitCode: 0, output: 'built twice\n' },
        { exitCode: 1, output: 'failed\n' },
      ]),
    ).toEqual(['docs/ci.md:3: $ make\nprinted:\nbuilt twice\ndocumented:\nbuilt']);
    const anyOutput = { ...block!, outputAny: true };
    expect(
      blockProblems(anyOutput, [
        { exitCode: 0, output: 'built twice\n' },
        { exitCode: 1, output: '' },
      ]),
    ).toEqual([]);
  });
});

describe('requirements', () => {
  const [block] = parseExamples(page('<!-- example: requires=fio,root -->', '```console', '$ true', '```'), 'docs/drive.md');

  it('runs when nothing is missing, skips with one line on a user machine, fails in CI', () => {
    expect(requirementVerdict(block!, [], false)).toEqual({ run: true });
    expect(requirementVerdict(block!, [], true)).toEqual({ run: true });
    expect(requirementVerdict(block!, ['fio'], false)).toEqual({
      run: false,
      skip: 'skipping docs/drive.md:2: the example needs fio (missing here; CI runs it)',
    });
    expect(requirementVerdict(block!, ['fio', 'root'], true)).toEqual({
      run: false,
      fail: 'docs/drive.md:2: the example needs fio, root, missing in this CI run',
    });
  });

  it('finds commands on PATH', () => {
    expect(missingRequirements(['bash', 'no-such-tool-anvil-docs'])).toEqual(['no-such-tool-anvil-docs']);
  });
});

describe('the runner', () => {
  it('runs commands in a scratch folder beside the repository, stderr interleaved, exit codes kept', async () => {
    const root = process.cwd();
    const scratch = scratchFolder(root);
    const session = new ExampleSession(scratch, exampleEnvironment(root, scratch));
    try {
      expect(lstatSync(join(scratch, 'package.json')).isSymbolicLink()).toBe(true);
      expect(existsSync(join(scratch, '.git'))).toBe(false);
      expect(existsSync(join(scratch, 'out'))).toBe(false);
      const [step] = parseExamples(
        page('<!-- example -->', '```console', '$ echo out; echo err >&2; echo "$HOME $CI"; exit 3', '```'),
        'x.md',
      )[0]!.steps;
      expect(await session.run(step!)).toEqual({ exitCode: 3, output: `out\nerr\n${scratch} \n` });
    } finally {
      await session.close();
    }
    expect(existsSync(scratch)).toBe(false);
  });

  it('reads README.md and docs/, not the generated reference', () => {
    const files = exampleFiles(process.cwd());
    expect(files[0]).toBe('README.md');
    expect(files.filter((f) => f.startsWith('docs/reference/'))).toEqual([]);
  });
});
