/** The rewrite of documented outputs (UPDATE_EXAMPLES=1): new output in, the page's wildcards and elisions kept. */
import { describe, expect, it } from 'vitest';
import { outputMatches, parseExamples } from './example-blocks.js';
import { rewriteOutputs, updatedOutput } from './example-update.js';

describe('updating documented output', () => {
  it('takes the new lines, keeping a [..] line that still matches', () => {
    const now = 'run 1 at 12:00\nIOPS=9\n';
    const lines = updatedOutput(['run 1 at [..]', 'IOPS=7'], now);
    expect(lines).toEqual(['run 1 at [..]', 'IOPS=9']);
    expect(outputMatches(lines, now)).toBe(true);
  });

  it('finds each documented run between elisions again by its label and takes the new figures', () => {
    const now = ['job a: 1', 'x', 'read: IOPS=12', 'clat 5', 'y', 'Run status 0', 'READ: bw=9'].join('\n');
    const lines = updatedOutput(['job a: 1', '...', 'read: IOPS=10', 'clat 4', '...', 'Run status 0', 'READ: bw=8'], now);
    expect(lines).toEqual(['job a: 1', '...', 'read: IOPS=12', 'clat 5', '...', 'Run status 0', 'READ: bw=9']);
    expect(outputMatches(lines, now)).toBe(true);
  });

  it('keeps an elision with as many lines before and after it as the page had', () => {
    const now = ['head', 'a', 'b', 'c', 'd', 'tail 2'].join('\n');
    const lines = updatedOutput(['head', '...', 'tail 1'], now);
    expect(lines).toEqual(['head', '...', 'tail 2']);
    expect(outputMatches(lines, now)).toBe(true);
  });

  it('rewrites only the output lines of the steps it is given, below their command and comments', () => {
    const page = ['<!-- example -->', '```console', '$ one \\', '  --flag', '# a comment', 'old', '$ two', 'kept', '```', ''].join('\n');
    const [block] = parseExamples(page, 'p.md');
    const out = rewriteOutputs(page, [{ step: block!.steps[0]!, lines: ['new 1', 'new 2'] }]);
    expect(out.split('\n')).toEqual([
      '<!-- example -->',
      '```console',
      '$ one \\',
      '  --flag',
      '# a comment',
      'new 1',
      'new 2',
      '$ two',
      'kept',
      '```',
      '',
    ]);
  });
});
