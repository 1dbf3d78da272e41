/**
 * Device profiles: YAML data files with sources, built in under `sim/profiles/` or given by path. A
 * profile names its device kind; the kind's schema validates it, fills defaults and explains errors.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AnvilError } from '../platform/errors.js';
import { parseYamlData } from '../platform/yaml-input.js';
import { deviceKind, deviceKinds } from '../sim/devices/index.js';
import type { DeviceInstance, DeviceKind } from '../sim/devices/index.js';
import { Simulator } from '../sim/core/kernel.js';
import { RandomStreams } from '../sim/core/random.js';
import { RequestPool } from '../sim/io/requests.js';
import { packageRoot } from './package-root.js';

/** The profile `anvil run` uses when none is named. */
export const DEFAULT_PROFILE = 'intel-p4510-4tb';

/**
 * A validated profile, ready to build a device from: its parameters are those of its kind (`S`, the
 * kind's schema; a profile read from a file is of some registered kind, known at run time).
 */
export interface DeviceProfile<S extends TSchema = TSchema> {
  /** Profile id: the file name without .yaml. */
  readonly name: string;
  /** The profile's own `name:` (the drive it describes), or the id. */
  readonly title: string;
  /** Where it was read from. */
  readonly path: string;
  readonly kind: DeviceKind<S>;
  /** Parameters after defaults, as the kind's schema describes them. */
  readonly params: Static<S>;
}

function builtInDir(): string {
  return join(packageRoot(), 'sim', 'profiles');
}

/** Names of the built-in profiles, sorted. */
export function builtInProfiles(): string[] {
  return readdirSync(builtInDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Loads a profile by built-in name or by path to a YAML file. */
export function loadProfile(nameOrPath: string): DeviceProfile {
  const builtIn = join(builtInDir(), `${nameOrPath}.yaml`);
  const path = existsSync(builtIn) && !nameOrPath.includes('/') ? builtIn : nameOrPath;
  if (!existsSync(path)) {
    throw new AnvilError(
      'ANVIL_ERR_PROFILE_NOT_FOUND',
      `profile "${nameOrPath}" is neither a built-in profile nor a file; built-in profiles: ${builtInProfiles().join(', ')}`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_FILE_NOT_FOUND', `cannot read profile ${path}: ${(e as Error).message}`);
  }
  return parseProfile(text, path);
}

/** Validates profile YAML text; `path` names it in errors. */
export function parseProfile(text: string, path: string): DeviceProfile {
  const doc = parseYamlData(text, path, 'ANVIL_ERR_PROFILE_INVALID');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new AnvilError(
      'ANVIL_ERR_PROFILE_INVALID',
      `${path}: a profile is a YAML mapping with at least "kind"; kinds: ${deviceKinds().join(', ')}`,
    );
  }
  const record = doc as Record<string, unknown>;
  // YAML reads a bare `kind: null` as null; the null device is what that line means.
  if (record.kind === null) record.kind = 'null';
  const kindName = record.kind;
  const kind = typeof kindName === 'string' ? deviceKind(kindName) : undefined;
  if (!kind) {
    throw new AnvilError(
      'ANVIL_ERR_DEVICE_KIND',
      `${path}: kind ${JSON.stringify(kindName ?? null)} is not a device kind; kinds: ${deviceKinds().join(', ')}`,
    );
  }
  // Descriptive keys every profile may carry; the kind's schema checks the model's parameters.
  const { name, description, sources: _sources, datasheet: _datasheet, ...params } = record;
  const schemaKeys = new Set(Object.keys((kind.schema as { properties?: object }).properties ?? {}));
  const checked: Record<string, unknown> = { ...params };
  for (const key of ['datasheet', 'sources'] as const) if (schemaKeys.has(key) && record[key] !== undefined) checked[key] = record[key];
  void description;
  const id = basename(path).replace(/\.ya?ml$/, '');
  return { name: id, title: typeof name === 'string' ? name : id, path, kind, params: kindParams(kind, checked, path) };
}

/** The parameters of `kind` in `checked`, defaults filled, or ANVIL_ERR_PROFILE_INVALID naming every problem. */
function kindParams<S extends TSchema>(kind: DeviceKind<S>, checked: Record<string, unknown>, path: string): Static<S> {
  const withDefaults: unknown = Value.Default(kind.schema, Value.Clone(checked));
  const problems = schemaProblems(kind.schema, withDefaults, '');
  if (problems.length === 0 && Value.Check(kind.schema, withDefaults)) {
    // What the schema cannot say (relations between fields, such as a write buffer smaller than a
    // program unit): the kind refuses it when the device is built, so build one now, once.
    const refusal = buildRefusal(kind, withDefaults);
    if (refusal === undefined) return withDefaults;
    problems.push(refusal);
  }
  const details = dedupe(problems.map((p) => `${path}: ${p}`));
  throw new AnvilError(
    'ANVIL_ERR_PROFILE_INVALID',
    `${path} does not fit the "${kind.name}" device schema (${details.length} problem${details.length > 1 ? 's' : ''})`,
    details,
  );
}

/** A device of the profile's kind outside any run (no events scheduled): to read its limits (its capacity is `capacityOf`). */
export function standaloneDevice<S extends TSchema>(profile: Pick<DeviceProfile<S>, 'kind' | 'params'>): DeviceInstance {
  return profile.kind.create(profile.params, {
    sim: new Simulator(),
    requests: new RequestPool(),
    streams: new RandomStreams(0),
    name: 'dev0',
  });
}

/** The capacity in bytes of the device a profile describes (jobs without `size` address all of it), read from its parameters. */
export function profileCapacity<S extends TSchema>(profile: Pick<DeviceProfile<S>, 'kind' | 'params'>): number {
  return profile.kind.capacityOf(profile.params);
}

/** Why the kind refuses to build a device from these parameters, or undefined when it builds. */
function buildRefusal<S extends TSchema>(kind: DeviceKind<S>, params: Static<S>): string | undefined {
  try {
    standaloneDevice({ kind, params });
    return undefined;
  } catch (e) {
    if (e instanceof RangeError) return e.message;
    throw e;
  }
}

type SchemaNode = TSchema & {
  description?: string;
  allowed?: string;
  anyOf?: TSchema[];
  properties?: Record<string, TSchema & { const?: unknown }>;
};

/**
 * Each schema problem as `PATH: message`. A ranged field says its range; a value of a union (a service
 * time's `dist`) is checked against the member its literal fields select, so the message names the
 * field at fault rather than "Expected union value".
 */
function schemaProblems(schema: TSchema, value: unknown, prefix: string): string[] {
  const out: string[] = [];
  for (const e of Value.Errors(schema, value)) {
    const node = e.schema as SchemaNode;
    const at = `${prefix}${e.path}` || '/';
    const member = node.anyOf ? selectedMember(node.anyOf, e.value) : undefined;
    if (member) {
      out.push(...schemaProblems(member, e.value, `${prefix}${e.path}`));
    } else if (node.allowed !== undefined) {
      out.push(`${at}: ${JSON.stringify(e.value)} is not allowed: give ${node.allowed}`);
    } else {
      out.push(`${at}: ${e.message}${describeExpected(node)}`);
    }
  }
  return out;
}

/**
 * The one member of a union the value is meant for, if exactly one is: for an object, the member whose
 * literal properties it matches (a service time's `dist`); otherwise the member of its JSON type (a
 * duration or a list of them).
 */
function selectedMember(members: readonly TSchema[], value: unknown): TSchema | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const type = Array.isArray(value) ? 'array' : typeof value;
    const ofType = members.filter((m) => (m as { type?: unknown }).type === type);
    return ofType.length === 1 ? ofType[0] : undefined;
  }
  const record = value as Record<string, unknown>;
  const matching = members.filter((m) => {
    const props = (m as SchemaNode).properties ?? {};
    const literals = Object.entries(props).filter(([, p]) => p.const !== undefined);
    return literals.length > 0 && literals.every(([k, p]) => record[k] === p.const);
  });
  return matching.length === 1 ? matching[0] : undefined;
}

function describeExpected(schema: { description?: string }): string {
  return schema.description ? ` (expected ${schema.description})` : '';
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
