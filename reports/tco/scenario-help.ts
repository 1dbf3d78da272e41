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
}

function describe(node: SchemaNode): string {
  const choices = node.anyOf?.map((n) => n.const).filter((c) => c !== undefined);
  const parts = [node.description ?? ''];
  if (choices && choices.length > 0) parts.push(`one of ${choices.join(', ')}`);
  if (node.default !== undefined && typeof node.default !== 'object') parts.push(`default ${JSON.stringify(node.default)}`);
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

export function scenarioHelp(schema: TSchema = ScenarioSchema): string {
  const lines = ['', 'Scenario file fields (YAML; see reports/scenarios/reference.yaml):'];
  walk(schema as SchemaNode, '', lines);
  lines.push('', 'Cost figures come from reports/tco/catalogue/*.yaml (each with its source and year); replace any in overrides.');
  return lines.join('\n');
}
