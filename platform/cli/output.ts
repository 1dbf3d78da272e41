/** How the control-plane commands print: aligned tables for people, JSON or YAML for programs. */
import { stringify as toYaml } from 'yaml';
import { InvalidArgumentError } from 'commander';

export const OUTPUT_KINDS = ['table', 'json', 'yaml'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

export function parseOutputKind(text: string): OutputKind {
  if (!(OUTPUT_KINDS as readonly string[]).includes(text)) throw new InvalidArgumentError('use table, json or yaml');
  return text as OutputKind;
}

/** An aligned table: a header row in capitals, two spaces between columns, no trailing blanks. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Objects as JSON (an array, or one object) or YAML (a multi-document stream for lists). */
export function structured(kind: 'json' | 'yaml', value: unknown): string {
  if (kind === 'json') return JSON.stringify(value, null, 2) + '\n';
  return toYaml(value);
}
