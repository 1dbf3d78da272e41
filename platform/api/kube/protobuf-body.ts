/**
 * The protobuf bodies kubectl sends: client-go forces `application/vnd.kubernetes.protobuf` on its typed
 * clients for built-in kinds (no fallback to JSON on 415), which kubectl's imperative commands use
 * (`kubectl create namespace X`, `kubectl create deployment X --image=...`). This reads the envelope
 * (`k8s\0` + runtime.Unknown) and the fields of Namespace and Deployment those commands fill, into the JSON
 * object `kubectl create -f` would have sent. A field this schema does not know, holding a value, is refused
 * (never dropped unseen); answers stay JSON, which kubectl's Accept allows.
 * Field numbers: k8s.io/api core/v1, apps/v1 and apimachinery meta/v1 generated.proto.
 */

/** A field: its JSON name and how its value reads; `keep` keeps a zero (Go pointer fields: replicas 0 is asked for). */
type Field =
  | { name: string; kind: 'string' | 'int' | 'bool'; repeated?: boolean; keep?: boolean }
  | { name: string; kind: 'message'; of: string; repeated?: boolean }
  | { name: string; kind: 'map'; value: 'string' | string }
  | { name: string; kind: 'ignore' };
type Message = Record<number, Field>;

const s = (name: string, repeated = false): Field => ({ name, kind: 'string', repeated });
const n = (name: string, keep = false): Field => ({ name, kind: 'int', keep });
const b = (name: string): Field => ({ name, kind: 'bool' });
const m = (name: string, of: string, repeated = false): Field => ({ name, kind: 'message', of, repeated });
const map = (name: string, value = 'string'): Field => ({ name, kind: 'map', value });
const ignore = (name: string): Field => ({ name, kind: 'ignore' });

const SCHEMA: Record<string, Message> = {
  Unknown: { 1: m('typeMeta', 'TypeMeta'), 2: { name: 'raw', kind: 'string' }, 3: s('contentEncoding'), 4: s('contentType') },
  TypeMeta: { 1: s('apiVersion'), 2: s('kind') },
  // Server-set fields (uid, resourceVersion, timestamps) are read and dropped, as a create ignores them.
  ObjectMeta: {
    1: s('name'),
    2: s('generateName'),
    3: s('namespace'),
    4: ignore('selfLink'),
    5: ignore('uid'),
    6: ignore('resourceVersion'),
    7: ignore('generation'),
    8: ignore('creationTimestamp'),
    11: map('labels'),
    12: map('annotations'),
    14: s('finalizers', true),
  },
  Namespace: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'NamespaceSpec'), 3: ignore('status') },
  NamespaceSpec: { 1: s('finalizers', true) },
  Deployment: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'DeploymentSpec'), 3: ignore('status') },
  DeploymentSpec: {
    1: n('replicas', true),
    2: m('selector', 'LabelSelector'),
    3: m('template', 'PodTemplateSpec'),
    4: m('strategy', 'DeploymentStrategy'),
    5: n('minReadySeconds'),
    6: n('revisionHistoryLimit', true),
    7: b('paused'),
    9: n('progressDeadlineSeconds', true),
  },
  DeploymentStrategy: { 1: s('type'), 2: m('rollingUpdate', 'RollingUpdateDeployment') },
  RollingUpdateDeployment: { 1: m('maxUnavailable', 'IntOrString'), 2: m('maxSurge', 'IntOrString') },
  IntOrString: { 1: n('type'), 2: n('intVal'), 3: s('strVal') },
  LabelSelector: { 1: map('matchLabels'), 2: m('matchExpressions', 'LabelSelectorRequirement', true) },
  LabelSelectorRequirement: { 1: s('key'), 2: s('operator'), 3: s('values', true) },
  PodTemplateSpec: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'PodSpec') },
  PodSpec: {
    2: m('containers', 'Container', true),
    3: s('restartPolicy'),
    4: n('terminationGracePeriodSeconds', true),
    6: s('dnsPolicy'),
    7: map('nodeSelector'),
    8: s('serviceAccountName'),
    9: s('serviceAccount'),
    10: s('nodeName'),
    11: b('hostNetwork'),
    12: b('hostPID'),
    13: b('hostIPC'),
    16: s('hostname'),
    17: s('subdomain'),
    19: s('schedulerName'),
    20: m('initContainers', 'Container', true),
    24: s('priorityClassName'),
  },
  Container: {
    1: s('name'),
    2: s('image'),
    3: s('command', true),
    4: s('args', true),
    5: s('workingDir'),
    6: m('ports', 'ContainerPort', true),
    7: m('env', 'EnvVar', true),
    8: m('resources', 'ResourceRequirements'),
    13: s('terminationMessagePath'),
    14: s('imagePullPolicy'),
    16: b('stdin'),
    17: b('stdinOnce'),
    18: b('tty'),
    20: s('terminationMessagePolicy'),
  },
  ContainerPort: { 1: s('name'), 2: n('hostPort'), 3: n('containerPort'), 4: s('protocol'), 5: s('hostIP') },
  EnvVar: { 1: s('name'), 2: s('value') },
  ResourceRequirements: { 1: map('limits', 'Quantity'), 2: map('requests', 'Quantity') },
  Quantity: { 1: s('string') },
};

/** The kinds whose protobuf body the facade reads, by apiVersion/kind. */
const KINDS: Record<string, string> = { 'v1/Namespace': 'Namespace', 'apps/v1/Deployment': 'Deployment' };

/** A body the facade cannot read: its message says what was found and what to do. */
export class ProtobufBodyError extends Error {}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** The JSON object of a `k8s\0`-enveloped protobuf body of a Namespace or a Deployment. */
export function objectOfProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw new ProtobufBodyError('the protobuf body does not start with the Kubernetes envelope (k8s\\0)');
  const unknown = decode(body.subarray(4), 'Unknown', true);
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const gvk = `${typeMeta.apiVersion ?? ''}/${typeMeta.kind ?? ''}`;
  const message = KINDS[gvk];
  const raw = unknown.raw as Buffer | undefined;
  if (message === undefined || raw === undefined)
    throw new ProtobufBodyError(
      `a protobuf body of ${gvk === '/' ? 'no kind' : gvk} is not read here (only ${Object.keys(KINDS).join(', ')}); send JSON, e.g. kubectl create -f FILE`,
    );
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...decode(raw, message, false) };
}

/** Protobuf wire types (varint, 64-bit, length-delimited, 32-bit). */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

function decode(bytes: Buffer, message: string, rawBytes: boolean): Record<string, unknown> {
  const fields = SCHEMA[message]!;
  const out: Record<string, unknown> = {};
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length) throw new ProtobufBodyError(`the protobuf body of ${message} ends inside a number`);
      const byte = bytes[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < bytes.length) {
    const tag = Number(varint());
    const number = tag >>> 3;
    const wire = tag & 7;
    let value: bigint | Buffer;
    if (wire === VARINT) value = varint();
    else if (wire === LEN) {
      const length = Number(varint());
      if (at + length > bytes.length) throw new ProtobufBodyError(`the protobuf body of ${message} ends inside field ${number}`);
      value = bytes.subarray(at, at + length);
      at += length;
    } else if (wire === I64 || wire === I32) {
      value = bytes.subarray(at, at + (wire === I64 ? 8 : 4));
      at += wire === I64 ? 8 : 4;
    } else throw new ProtobufBodyError(`the protobuf body of ${message} has field ${number} of wire type ${wire}, which is not read`);
    const field = fields[number];
    const empty = typeof value === 'bigint' ? value === 0n : value.length === 0;
    if (field === undefined) {
      // An unknown field that holds nothing (client-go writes every empty field) loses nothing.
      if (empty) continue;
      throw new ProtobufBodyError(
        `field ${number} of ${message} in the protobuf body is not read by Anvil's facade; send the object as JSON (kubectl create -f FILE)`,
      );
    }
    if (field.kind === 'ignore') continue;
    const read = readValue(field, value, message, rawBytes);
    if (read === undefined) continue;
    if (field.kind === 'map') {
      const [key, entry] = read as [string, unknown];
      out[field.name] = { ...((out[field.name] as object | undefined) ?? {}), [key]: entry };
    } else if ('repeated' in field && field.repeated) out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), read];
    else out[field.name] = read;
  }
  return out;
}

/** One field's value in JSON; undefined for Go's omitted zero values (empty strings, 0, false, empty objects). */
function readValue(field: Field, value: bigint | Buffer, message: string, rawBytes: boolean): unknown {
  const isBytes = typeof value !== 'bigint';
  const wrong = () => new ProtobufBodyError(`field ${field.name} of ${message} in the protobuf body has the wrong wire type`);
  switch (field.kind) {
    case 'string':
      if (!isBytes) throw wrong();
      if (rawBytes && field.name === 'raw') return value;
      return value.length === 0 && !field.repeated ? undefined : value.toString('utf8');
    case 'int': {
      if (isBytes) throw wrong();
      // int32/int64 as varints: a negative number is its two's complement in 64 bits.
      const signed = Number(BigInt.asIntN(64, value));
      return signed === 0 && !field.keep ? undefined : signed;
    }
    case 'bool':
      if (isBytes) throw wrong();
      return value === 0n ? undefined : true;
    case 'message': {
      if (!isBytes) throw wrong();
      const object = decode(value, field.of, false);
      if (field.of === 'Quantity') return object.string;
      if (field.of === 'IntOrString') return object.type === 1 ? object.strVal : (object.intVal ?? 0);
      return Object.keys(object).length === 0 && !field.repeated ? undefined : object;
    }
    case 'map': {
      if (!isBytes) throw wrong();
      const entry = decode(value, field.value === 'string' ? 'StringEntry' : 'QuantityEntry', false);
      return [String(entry.key ?? ''), entry.value ?? ''];
    }
    default:
      return undefined;
  }
}

// Map entries: key 1, value 2 (protobuf's map encoding).
SCHEMA.StringEntry = { 1: { name: 'key', kind: 'string', keep: true }, 2: { name: 'value', kind: 'string', keep: true } };
SCHEMA.QuantityEntry = { 1: { name: 'key', kind: 'string', keep: true }, 2: m('value', 'Quantity') };
