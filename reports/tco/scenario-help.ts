/** The scenario's fields as help text, from the schema itself (name, default, description), for `anvil tco --help`. */
import type { TSchema } from '@sinclair/typebox';
import { ScenarioSchema } from './scenario-schema.js';

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  default?: unknown;
  description?: string;
  required?: string[];
  anyOf?: SchemaNode[];
  const?: unknown;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
}

/** "0 to 100000", "> 0, at most 1024": the range of a number as the schema bounds it. */
function range(node: SchemaNode): string | undefined {
  if (node.maximum === undefined) return undefined;
  if (node.exclusiveMinimum !== undefined) return `> ${node.exclusiveMinimum}, at most ${node.maximum}`;
  return node.minimum !== undefined ? `${node.minimum} to ${node.maximum}` : `at most ${node.maximum}`;
}

function describe(node: SchemaNode): string {
  const choices = node.anyOf?.map((n) => n.const).filter((c) => c !== undefined);
  const parts = [node.description ?? ''];
  if (choices && choices.length > 0) parts.push(`one of ${choices.join(', ')}`);
  if (node.default !== undefined && typeof node.default !== 'object') parts.push(`default ${JSON.stringify(node.default)}`);
  // Descriptions that already say their range ("0..1") are not repeated.
  if (!/\d\.\.\d/.test(node.description ?? '')) parts.push(range(node) ?? '');
  return parts.filter(Boolean).join('; ');
}

function walk(node: SchemaNode, prefix: string, lines: string[]): void {
  const required = new Set(node.required ?? []);
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const path = `${prefix}${name}`;
    const optional = !required.has(name) || child.default !== undefined;
    lines.push(`  ${path}${optional ? '' : ' (required)'}: ${describe(child)}`);
    if (child.type === 'object' && child.properties) walk(child, `${path}.`, lines);
    if (child.type === 'array' && child.items?.properties) walk(child.items, `${path}[].`, lines);
  }
}

/** Every field of a file's schema, one line each (name, required, description, default, range), between a header and footer. */
export function schemaFieldsHelp(schema: TSchema, header: string, footer: readonly string[]): string {
  const lines = ['', header];
  walk(schema as SchemaNode, '', lines);
  lines.push('', ...footer);
  return lines.join('\n');
}

export function scenarioHelp(schema: TSchema = ScenarioSchema): string {
  return schemaFieldsHelp(schema, 'TCO scenario file fields (YAML, kind: TcoScenario; see reports/scenarios/reference.yaml):', [
    'Cost figures come from reports/tco/catalogue/*.yaml (each with its source and year); replace any in overrides.',
    'Cluster scenarios for the model (kind: ClusterScenario, bench/scenarios/) are checked by anvil scenario validate.',
  ]);
}
