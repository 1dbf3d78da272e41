/**
 * Example blocks of the documentation (the format of /work/notes/examples-format.md, summed up in
 * docs/development.md): a ```console fence whose line just before is `<!-- example -->` or
 * `<!-- example: KEY=VALUE ... -->`. `$ ` lines are commands (a trailing ` \` continues one), `# ` lines
 * right after a command are comments, every other line up to the next command is its expected output,
 * matched after normalising: trailing spaces and trailing blank lines dropped, a line `...` matches any
 * number of lines, `[..]` any text within a line. Pure functions: running the commands is example-runner.ts.
 */

/** One command of a block, the output it should print and where it is written (1-based line). */
export interface ExampleStep {
  readonly line: number;
  /** The command as bash runs it (continuation lines joined with their newlines, the trailing ` &` kept off). */
  readonly command: string;
  /** Ends with ` &`: started in the background, killed at the end of the file; its output is not compared. */
  readonly background: boolean;
  readonly expected: readonly string[];
}

/** An example block: its file and line, what it needs to run, and its commands. */
export interface ExampleBlock {
  readonly file: string;
  /** The line of the opening fence (1-based). */
  readonly line: number;
  /** Tools (commands on PATH) or `root` the block needs. */
  readonly requires: readonly string[];
  /** The exit code of the block's last command (the others exit 0). */
  readonly exit: number;
  /** Output is not compared (`output=any`), only exit codes. */
  readonly outputAny: boolean;
  readonly steps: readonly ExampleStep[];
}

/** A block written against the format: the file, line and what is wrong. */
export class ExampleFormatError extends Error {
  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem} (see "Example blocks" in docs/development.md)`);
  }
}

const MARKER = /^\s*<!--\s*example(?::\s*(.*?))?\s*-->\s*$/;
const OPEN = /^ {0,3}(`{3,}|~{3,})\s*console\s*$/;

/** The KEY=VALUE settings of a marker, checked: requires=a,b; exit=N (0..255); output=any. */
function settingsOf(text: string, file: string, line: number): Pick<ExampleBlock, 'requires' | 'exit' | 'outputAny'> {
  let requires: string[] = [];
  let exit = 0;
  let outputAny = false;
  for (const setting of text.split(/\s+/).filter((s) => s !== '')) {
    const [key, value] = setting.split('=', 2) as [string, string | undefined];
    if (key === 'requires' && value && /^[a-z0-9][a-z0-9._+-]*(,[a-z0-9][a-z0-9._+-]*)*$/i.test(value)) requires = value.split(',');
    else if (key === 'exit' && value && /^\d{1,3}$/.test(value) && Number(value) <= 255) exit = Number(value);
    else if (key === 'output' && value === 'any') outputAny = true;
    else
      throw new ExampleFormatError(
        file,
        line,
        `"${setting}" is not a setting of an example block; allowed: requires=TOOL[,TOOL...], exit=N (0..255), output=any`,
      );
  }
  return { requires, exit, outputAny };
}

/** The commands and expected output of a block's body lines; `first` is the line number of body[0]. */
function stepsOf(body: readonly string[], first: number, file: string): ExampleStep[] {
  const steps: { line: number; command: string; background: boolean; expected: string[] }[] = [];
  let i = 0;
  while (i < body.length) {
    const text = body[i]!;
    if (!text.startsWith('$ ')) {
      if (steps.length === 0) {
        if (text.trim() === '') {
          i++;
          continue;
        }
        throw new ExampleFormatError(file, first + i, 'an example block starts with a command (a line "$ COMMAND")');
      }
      steps[steps.length - 1]!.expected.push(text);
      i++;
      continue;
    }
    const line = first + i;
    const parts = [text.slice(2)];
    while (parts[parts.length - 1]!.endsWith(' \\') && i + 1 < body.length) parts.push(body[++i]!);
    i++;
    // Comments only directly after the command, before any output line.
    while (i < body.length && body[i]!.startsWith('# ')) i++;
    let command = parts.join('\n');
    const background = / &$/.test(command);
    if (background) command = command.slice(0, -2);
    steps.push({ line, command, background, expected: [] });
  }
  if (steps.length === 0) throw new ExampleFormatError(file, first - 1, 'an example block has no command (a line "$ COMMAND")');
  for (const step of steps)
    if (step.background && normalised(step.expected).length > 0)
      throw new ExampleFormatError(file, step.line, 'a background command (ending " &") shows no output: its output is not compared');
  return steps;
}

/** Every example block of a Markdown page, in order. */
export function parseExamples(markdown: string, file: string): ExampleBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: ExampleBlock[] = [];
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (fence !== undefined) {
      if (text.trim().startsWith(fence) && text.trim().replace(/[`~]/g, '') === '') fence = undefined;
      continue;
    }
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (!opener) continue;
    fence = opener[1]!;
    const marker = MARKER.exec(lines[i - 1] ?? '');
    if (!marker) continue;
    if (!OPEN.test(text)) throw new ExampleFormatError(file, i + 1, 'an example block is a ```console fence');
    const settings = settingsOf(marker[1] ?? '', file, i);
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end]!.trim().startsWith(fence) && lines[end]!.trim().replace(/[`~]/g, '') === '')) end++;
    if (end === lines.length) throw new ExampleFormatError(file, i + 1, 'an example block is not closed');
    blocks.push({ file, line: i + 1, ...settings, steps: stepsOf(lines.slice(start, end), start + 1, file) });
    i = end;
    fence = undefined;
  }
  return blocks;
}

/** Output lines compared: trailing spaces stripped, trailing blank lines (and a final newline) dropped. */
export function normalised(lines: readonly string[]): string[] {
  const out = lines.map((l) => l.replace(/[ \t\r]+$/, ''));
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** A documented line as a pattern: `[..]` matches any text within the line, the rest literally. */
function linePattern(expected: string): RegExp {
  return new RegExp(
    `^${expected
      .split('[..]')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Does `actual` (a command's whole output) match the documented lines? `...` alone matches any lines. */
export function outputMatches(expected: readonly string[], actual: string): boolean {
  const want = normalised(expected);
  const got = normalised(actual.split('\n'));
  const patterns = want.map((w) => (w.trim() === '...' ? undefined : linePattern(w)));
  // matches[i][j]: want[i..] matches got[j..]; filled from the end (a glob match over lines).
  const matches: boolean[][] = Array.from({ length: want.length + 1 }, () => new Array<boolean>(got.length + 1).fill(false));
  matches[want.length]![got.length] = true;
  for (let i = want.length - 1; i >= 0; i--)
    for (let j = got.length; j >= 0; j--) {
      const pattern = patterns[i];
      matches[i]![j] =
        pattern === undefined
          ? matches[i + 1]![j]! || (j < got.length && matches[i]![j + 1]!)
          : j < got.length && pattern.test(got[j]!) && matches[i + 1]![j + 1]!;
    }
  return matches[0]![0]!;
}

/** What one command did: its exit code and its output (stdout and stderr interleaved). */
export interface StepResult {
  readonly exitCode: number;
  readonly output: string;
}

/** Problems of a block's run (empty when it ran as documented), each naming file, line and command. */
export function blockProblems(block: ExampleBlock, results: readonly StepResult[]): string[] {
  const problems: string[] = [];
  block.steps.forEach((step, i) => {
    const result = results[i];
    if (result === undefined) return;
    const where = `${block.file}:${step.line}: $ ${step.command}`;
    const wantExit = i === block.steps.length - 1 ? block.exit : 0;
    if (!step.background && result.exitCode !== wantExit)
      problems.push(`${where}\nexited ${result.exitCode}, documented ${wantExit}; it printed:\n${result.output}`);
    else if (!step.background && !block.outputAny && !outputMatches(step.expected, result.output))
      problems.push(
        `${where}\nprinted:\n${normalised(result.output.split('\n')).join('\n')}\ndocumented:\n${normalised(step.expected).join('\n')}`,
      );
  });
  return problems;
}

/** Whether a block runs here: it runs, it skips (one line saying what is missing), or in CI it fails. */
export type RequirementVerdict = { run: true } | { run: false; skip: string } | { run: false; fail: string };

/** The verdict for `block` given what is `missing` here and whether this is a CI run. */
export function requirementVerdict(block: ExampleBlock, missing: readonly string[], inCI: boolean): RequirementVerdict {
  if (missing.length === 0) return { run: true };
  const what = `${block.file}:${block.line}: the example needs ${missing.join(', ')}`;
  return inCI
    ? { run: false, fail: `${what}, missing in this CI run` }
    : { run: false, skip: `skipping ${what} (missing here; CI runs it)` };
}
