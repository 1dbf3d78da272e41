/**
 * `UPDATE_EXAMPLES=1 npm run test:e2e -- test/docs/examples.test.ts` rewrites the documented output of every
 * example step that printed something else (as cargo's trycmd or insta do): what a command prints now goes
 * in, keeping the page's own shape where it still fits: a documented `[..]` line that matches the new line
 * stays as written (times, tokens), and a page that elided lines with `...` keeps as many lines before
 * and after the elision as it had. Read the diff before committing it.
 */
import { normalised, type ExampleStep } from './example-blocks.js';

/** A documented line's pattern: `[..]` matches any text within the line. */
function matchesLine(documented: string, line: string): boolean {
  if (!documented.includes('[..]')) return documented === line;
  const pattern = documented
    .split('[..]')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(line);
}

/** The output to document for a step that now prints `actual`. */
export function updatedOutput(expected: readonly string[], actual: string): string[] {
  const was = normalised(expected);
  const now = normalised(actual.split('\n'));
  const keep = (documented: string | undefined, line: string) =>
    documented !== undefined && matchesLine(documented, line) ? documented : line;
  const first = was.findIndex((l) => l.trim() === '...');
  if (first < 0) return now.map((line, i) => keep(was[i], line));
  const last = was.length - 1 - [...was].reverse().findIndex((l) => l.trim() === '...');
  const head = Math.min(first, now.length);
  const tail = Math.min(was.length - 1 - last, now.length - head);
  if (head + tail >= now.length) return now.map((line, i) => keep(was[i], line));
  return [
    ...now.slice(0, head).map((line, i) => keep(was[i], line)),
    '...',
    ...now.slice(now.length - tail).map((line, i) => keep(was[last + 1 + i], line)),
  ];
}

/** `markdown` with each step's documented output replaced (steps of this page, by their `$` line). */
export function rewriteOutputs(markdown: string, edits: readonly { step: ExampleStep; lines: readonly string[] }[]): string {
  const lines = markdown.split('\n');
  // Bottom up, so earlier line numbers stay right.
  for (const { step, lines: output } of [...edits].sort((a, b) => b.step.line - a.step.line)) {
    let at = step.line - 1 + step.command.split('\n').length;
    while (lines[at]?.startsWith('# ')) at++;
    const trailingBlank = step.expected.length - normalised(step.expected).length;
    lines.splice(at, step.expected.length, ...output, ...new Array<string>(trailingBlank).fill(''));
  }
  return lines.join('\n');
}
