/**
 * The schema pages' renderer (platform/cli/reference/schema-reference.ts) shows what a TypeBox schema says:
 * each field's type, whether it must be given, its default, its range and its description, and nested
 * objects as sections of their own, linked by the anchors GitHub gives their headings.
 */
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { resolveSectionLinks, schemaDocument } from '../../platform/cli/reference/schema-reference.js';
import { anchorsOf } from './markdown-links.js';

const Limit = Type.Object(
  { iops: Type.Integer({ minimum: 1, maximum: 1000, description: 'IOPS at most' }) },
  { additionalProperties: false, description: 'a limit' },
);
const Example = Type.Object(
  {
    kind: Type.Literal('Example'),
    name: Type.String({ minLength: 1, maxLength: 63, description: 'what it is' }),
    mode: Type.Union([Type.Literal('fast'), Type.Literal('slow')], { default: 'fast', description: 'how' }),
    share: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    limits: Type.Array(Limit, { default: [], maxItems: 8, description: 'limits' }),
    one: Type.Union([Type.Array(Limit), Limit]),
  },
  { additionalProperties: false },
);

describe('a schema as a reference page', () => {
  const markdown = resolveSectionLinks(schemaDocument({ title: 'Example file', intro: 'An example.', root: 'ex', schema: Example }));

  it('gives each field its type, requirement, default, range and description', () => {
    expect(markdown).toContain('| `kind` | `Example` | yes |  |  |  |');
    expect(markdown).toContain('| `name` | string | yes |  | length >= 1; length <= 63 | what it is |');
    expect(markdown).toContain('| `mode` | one of `fast`, `slow` | no | `fast` |  | how |');
    expect(markdown).toContain('| `share` | number | no |  | > 0, <= 1 |  |');
    expect(markdown).toContain('| `iops` | integer | yes |  | >= 1, <= 1000 | IOPS at most |');
  });

  it('links nested objects to their own sections, whose anchors exist even where slugs repeat', () => {
    const anchors = anchorsOf(markdown);
    const links = [...markdown.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    // limits[] and one[] (a list), one (the object): three sections, the last two slugging alike.
    expect(links).toEqual(['exlimits', 'exone', 'exone-1']);
    for (const link of links) expect(anchors.has(link), link).toBe(true);
    expect(markdown).not.toContain('@@');
  });
});
