/**
 * The README a newcomer reads: short, with the tour run as examples, and each of the three jobs users come
 * with (benchmark a drive, QoS checks in CI, a TCO report) one click away. Whether the links resolve is
 * links.test.ts; whether the examples print what they show is examples.test.ts (end-to-end suite).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseExamples } from './example-blocks.js';
import { linksOf } from './markdown-links.js';

const readme = readFileSync('README.md', 'utf8');

it('stays short: at most 150 lines', () => {
  expect(readme.split('\n').length).toBeLessThanOrEqual(150);
});

it('links straight to the guide of each user job, the reference and the development notes', () => {
  const targets = linksOf(readme).map((l) => l.target);
  for (const guide of [
    'docs/benchmark-a-drive.md',
    'docs/qos-in-ci.md',
    'docs/tco-report.md',
    'docs/reference/README.md',
    'docs/development.md',
  ])
    expect(targets).toContain(guide);
});

it('shows the tour as example blocks: a model run, the platform flow, a TCO report', () => {
  const commands = parseExamples(readme, 'README.md').flatMap((b) => b.steps.map((s) => s.command));
  expect(commands.some((c) => c.startsWith('anvil run '))).toBe(true);
  for (const verb of ['cluster create', 'network create', 'volume create', 'apply -f'])
    expect(commands.some((c) => c.startsWith(`anvil ${verb}`))).toBe(true);
  expect(commands.some((c) => c.startsWith('anvil tco '))).toBe(true);
});

it('gives the drive, scenario and QoS guides runnable examples from zero', () => {
  for (const guide of ['docs/benchmark-a-drive.md', 'docs/cluster-scenarios.md', 'docs/qos-in-ci.md'])
    expect(parseExamples(readFileSync(guide, 'utf8'), guide).length, guide).toBeGreaterThanOrEqual(3);
});
