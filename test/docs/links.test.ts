/**
 * The documentation's links resolve as GitHub renders them: every relative link and #anchor in README.md,
 * ARCHITECTURE.md and docs/**\/*.md names a file that exists and a heading of that page (GitHub's slugs).
 * A probe folder with one of each kind of breakage shows the check catches them, with file and line.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '../cli-harness.js';
import { anchorsOf, brokenLinks, documentationFiles, linksOf } from './markdown-links.js';

describe('documentation links', () => {
  it('resolve in README.md, ARCHITECTURE.md and docs/', () => {
    const files = documentationFiles(process.cwd());
    expect(files).toContain('README.md');
    expect(files).toContain('docs/reference/cli.md');
    // The check reads links: the reference index alone links to each of its pages.
    expect(linksOf(readFileSync('docs/reference/README.md', 'utf8')).length).toBeGreaterThanOrEqual(8);
    expect(brokenLinks(process.cwd(), files)).toEqual([]);
  });

  it('slug headings as GitHub does: punctuation and code marks dropped, repeats numbered', () => {
    const anchors = anchorsOf(
      [
        '# Command line: anvil',
        '## `scenario.nodes[]`',
        '## `scenario.nodes`',
        '## GET /api/v1/nodes/{name}',
        'Setext',
        '======',
        '```',
        '# not a heading',
        '```',
      ].join('\n'),
    );
    expect([...anchors]).toEqual(['command-line-anvil', 'scenarionodes', 'scenarionodes-1', 'get-apiv1nodesname', 'setext']);
  });

  it('report each broken link with its file and line, and pass good ones and code', () => {
    const root = tempDir('anvil-links-');
    const files: Record<string, string> = {
      'README.md': [
        '# Title',
        'See [the guide](docs/guide.md#first-steps) and [a section](#title).',
        'A [missing page](docs/nope.md) and [a bad anchor](#no-such-heading).',
        '`[not a link](nowhere.md)` is text.',
        '```',
        '[in a fence](gone.md)',
        '```',
        '[ref]: docs/guide.md#no-section',
        '[site root](/docs/guide.md) [external](https://example.com/a.md#b) [bad escape](docs/%zz.md)',
      ].join('\n'),
      'docs/guide.md': '# Guide\n\n## First steps\n\nBack to [the readme](../README.md#title).\n',
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    expect(brokenLinks(root, ['README.md', 'docs/guide.md'])).toEqual([
      'README.md:3: docs/nope.md (no such file: docs/nope.md)',
      'README.md:3: #no-such-heading (no heading with anchor #no-such-heading in README.md)',
      'README.md:8: docs/guide.md#no-section (no heading with anchor #no-section in docs/guide.md)',
      'README.md:9: /docs/guide.md (a path from the site root does not resolve on GitHub: make it relative)',
      'README.md:9: docs/%zz.md (a %-escape that does not decode)',
    ]);
  });
});
