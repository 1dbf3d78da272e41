/**
 * Every example block of README.md and docs/ (not the generated docs/reference/) runs and prints what the
 * page shows: each file's blocks in order in one fresh scratch folder (example-runner.ts), output compared
 * after normalising (example-blocks.ts). A block that needs a tool or root missing here skips with one line;
 * with CI set it fails. End-to-end suite (`npm run test:e2e`): it runs the built CLI many times.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inCI } from '../needs.js';
import { blockProblems, outputMatches, parseExamples, requirementVerdict, type ExampleStep, type StepResult } from './example-blocks.js';
import { rewriteOutputs, updatedOutput } from './example-update.js';
import { ExampleSession, exampleEnvironment, exampleFiles, missingRequirements, scratchFolder } from './example-runner.js';

const root = process.cwd();
/** Rewrite documented outputs that differ instead of failing on them (example-update.ts). */
const updating = process.env.UPDATE_EXAMPLES === '1';
const pages = exampleFiles(root).map((file) => ({ file, blocks: parseExamples(readFileSync(file, 'utf8'), file) }));

it('finds the examples of the README and the guides', () => {
  expect(pages.find((p) => p.file === 'README.md')?.blocks.length).toBeGreaterThanOrEqual(3);
});

for (const { file, blocks } of pages.filter((p) => p.blocks.length > 0)) {
  describe(file, () => {
    let session: ExampleSession;
    const edits: { step: ExampleStep; lines: string[] }[] = [];
    beforeAll(() => {
      const scratch = scratchFolder(root);
      session = new ExampleSession(scratch, exampleEnvironment(root, scratch));
    });
    afterAll(async () => {
      await session.close();
      if (edits.length > 0) writeFileSync(file, rewriteOutputs(readFileSync(file, 'utf8'), edits));
    });

    for (const block of blocks) {
      const verdict = requirementVerdict(block, missingRequirements(block.requires), inCI);
      if ('skip' in verdict) process.stderr.write(`${verdict.skip}\n`);
      it.skipIf('skip' in verdict)(`line ${block.line}: ${block.steps[0]!.command.split('\n')[0]}`, async () => {
        if ('fail' in verdict) expect.fail(verdict.fail);
        const results: StepResult[] = [];
        for (const step of block.steps) {
          const result = await session.run(step);
          results.push(result);
          // A command that fails where the page says it succeeds stops the block, as it would stop a reader.
          if (result.exitCode !== 0 && step !== block.steps[block.steps.length - 1]) break;
          if (updating && !step.background && !block.outputAny && !outputMatches(step.expected, result.output)) {
            edits.push({ step, lines: updatedOutput(step.expected, result.output) });
          }
        }
        // Updating, outputs were rewritten: only exit codes are checked.
        expect(blockProblems(updating ? { ...block, outputAny: true } : block, results).join('\n\n')).toBe('');
      });
    }
  });
}
