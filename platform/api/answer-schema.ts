/**
 * The answer helpers of the response schemas (object-schemas.ts explains why): objects whose required fields
 * are kept for the OpenAPI document only, string enums and string maps.
 */
import { Type, type TObject, type TProperties } from '@sinclair/typebox';

/** Where an answer keeps its required fields for the document (a vendor extension the serializer ignores). */
const REQUIRED_NOTE = 'x-anvil-required';

/** An object of the answer: `fields` in the domain's order, anything else kept as it is. */
export function answer<T extends TProperties>(fields: T, description: string): TObject<T> {
  const schema = Type.Object(fields, { additionalProperties: true, description }) as TObject<T> & {
    required?: string[];
    [REQUIRED_NOTE]?: string[];
  };
  if (schema.required !== undefined) schema[REQUIRED_NOTE] = schema.required;
  delete schema.required;
  return schema;
}

/** The OpenAPI document with each answer's required fields under `required` again (a copy; `doc` is left as it is). */
export function withRequired<T>(doc: T): T {
  return JSON.parse(JSON.stringify(doc), (key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !(REQUIRED_NOTE in value)) return value;
    const { [REQUIRED_NOTE]: required, ...rest } = value as Record<string, unknown>;
    return { ...rest, required };
  }) as T;
}

/** One of a few strings (an OpenAPI `enum`; the serializer writes it as a plain string). */
export function stringEnum<const T extends readonly string[]>(values: T, description?: string) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description !== undefined ? { description } : {}) });
}

/** A map of string to string (labels, selectors). */
export function stringMap(description: string) {
  return Type.Object({}, { additionalProperties: Type.String(), description });
}
