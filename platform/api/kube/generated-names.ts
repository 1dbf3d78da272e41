/**
 * `metadata.generateName` on create, as the apiserver does it: the prefix (cut to 58 characters) plus five
 * random characters of the alphabet Kubernetes uses (no vowels, no 0/1/3: no words, no look-alikes), drawn
 * again while the name is taken. The name made is in the answer (kubectl prints it).
 */
import { randomInt } from 'node:crypto';

/** k8s.io/apimachinery/pkg/util/rand's alphabet. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SUFFIX_LENGTH = 5;
/** 63 (a DNS label) less the suffix, as the apiserver's name generator cuts the prefix. */
const MAX_PREFIX = 63 - SUFFIX_LENGTH;
/** Draws before giving up on a crowded prefix (the apiserver retries generated names too). */
const MAX_DRAWS = 8;

type Obj = Record<string, unknown>;

/** Five characters of the alphabet, from the system's cryptographic source (unique across servers and restarts). */
export function nameSuffix(draw: (below: number) => number = randomInt): string {
  let suffix = '';
  for (let i = 0; i < SUFFIX_LENGTH; i++) suffix += ALPHABET[draw(ALPHABET.length)]!;
  return suffix;
}

/**
 * The body with `metadata.name` made from `metadata.generateName` when it names no name; the body as it
 * is otherwise. `taken` says whether a name is in use; undefined when every draw was taken.
 */
export function withGeneratedName(body: unknown, taken: (name: string) => boolean, draw?: (below: number) => number): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const meta = (body as Obj).metadata;
  if (typeof meta !== 'object' || meta === null) return body;
  const { name, generateName } = meta as Obj;
  if ((typeof name === 'string' && name !== '') || typeof generateName !== 'string' || generateName === '') return body;
  const prefix = generateName.slice(0, MAX_PREFIX);
  for (let i = 0; i < MAX_DRAWS; i++) {
    const candidate = prefix + nameSuffix(draw);
    if (!taken(candidate)) return { ...(body as Obj), metadata: { ...(meta as Obj), name: candidate } };
  }
  return undefined;
}
