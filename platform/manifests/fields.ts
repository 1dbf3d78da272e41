/** Reading fields of an untyped manifest with a path for every error ("spec.template.spec.containers[0].resources"). */
import { AnvilError } from '../errors.js';

export type Obj = Record<string, unknown>;

export class Fields {
  /**
   * @param where file and line of the document ("app.yaml:12")
   * @param whereField file and line of a field by its path, where the document's source is known
   */
  constructor(
    readonly where: string,
    private readonly whereField?: (path: string) => string,
  ) {}

  fail(path: string, message: string): never {
    throw new AnvilError('ANVIL_ERR_MANIFEST', `${this.whereField?.(path) ?? this.where}: ${path}: ${message}`);
  }

  obj(value: unknown, path: string, required = false): Obj | undefined {
    if (value === undefined || value === null) return required ? this.fail(path, 'is required') : undefined;
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'must be a mapping');
    return value as Obj;
  }

  list(value: unknown, path: string): Obj[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, 'must be a list');
    return value.map((v, i) => this.obj(v, `${path}[${i}]`, true)!);
  }

  str(value: unknown, path: string, required = false): string | undefined {
    if (value === undefined || value === null) return required ? this.fail(path, 'is required') : undefined;
    if (typeof value !== 'string' && typeof value !== 'number') this.fail(path, 'must be a string');
    return String(value);
  }

  int(value: unknown, path: string, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
      this.fail(path, `must be a whole number from ${min} to ${max}`);
    return n;
  }

  /** A string-to-string map (labels, annotations, nodeSelector, parameters). */
  strings(value: unknown, path: string): Record<string, string> {
    const o = this.obj(value, path) ?? {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) out[k] = this.str(v, `${path}.${k}`, true)!;
    return out;
  }
}
