/**
 * `UPDATE_EXAMPLES=1 npm run test:e2e -- test/docs/examples.test.ts` rewrites the documented output of every
 * example step that printed something else (as cargo's trycmd or insta do): what a command prints now goes
 * in, keeping the page's own shape where it still fits: a documented `[..]` line that matches the new line
 * stays as written (times, tokens), and a page that elided lines with `...` keeps its elisions: each
 * documented run of lines between them is found again by its first line's label (the line without its
 * figures) and replaced by as many new lines. Read the diff before committing it.
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

/** A line without its figures: what stays the same when only the numbers move. */
function labelOf(line: string): string {
  return line.replace(/[0-9.]+/g, '#');
}

/** The output to document for a step that now prints `actual`. */
export function updatedOutput(expected: readonly string[], actual: string): string[] {
  const was = normalised(expected);
  const now = normalised(actual.split('\n'));
  const keep = (documented: string | undefined, line: string) =>
    documented !== undefined && matchesLine(documented, line) ? documented : line;
  if (!was.some((l) => l.trim() === '...')) return now.map((line, i) => keep(was[i], line));
  // Each documented run of lines between elisions is found again in the new output by its first line's label
  // (the line without its figures), in order, and replaced by the same number of new lines.
  const segments: string[][] = [[]];
  for (const line of was) {
    if (line.trim() === '...') segments.push([]);
    else segments[segments.length - 1]!.push(line);
  }
  const out: string[] = [];
  let cursor = 0;
  segments.forEach((segment, k) => {
    if (k > 0 && out[out.length - 1] !== '...') out.push('...');
    if (segment.length === 0) return;
    const last = k === segments.length - 1;
    let at = k === 0 ? 0 : last ? now.length - segment.length : -1;
    if (at < 0) {
      for (let j = cursor; j + segment.length <= now.length && at < 0; j++) if (labelOf(now[j]!) === labelOf(segment[0]!)) at = j;
    }
    if (at < cursor || at + segment.length > now.length) return; // not found again: left to the reader, as an elision
    now.slice(at, at + segment.length).forEach((line, i) => out.push(keep(segment[i], line)));
    cursor = at + segment.length;
  });
  return out;
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
