/**
 * Issue 12, "VolumeBody and VolumeInput the same shape twice": the domain defines a new volume's fields
 * once, as a schema (`VolumeFields`); its type is `VolumeInput` and the API's request body is the schema
 * itself, so the OpenAPI document describes exactly what the domain takes.
 */
import type { Static } from '@sinclair/typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { MAX_MIRRORS } from '../../platform/domain/volume.js';
import { VolumeFields, type VolumeInput } from '../../platform/domain/volume-service.js';
import { seededWorld } from './api/api-harness.js';

/** A schema as JSON (typebox's symbols dropped), the way the OpenAPI document carries it. */
const asJson = (schema: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

describe('a new volume has one definition', () => {
  it('types VolumeInput as the schema plus the namespace', () => {
    expectTypeOf<VolumeInput>().toEqualTypeOf<Static<typeof VolumeFields> & { namespace: string }>();
    expectTypeOf<VolumeInput['mirrors']>().toEqualTypeOf<number | undefined>();
  });

  it("is the API's createVolume body, field by field, and answers alike at the mirror limit", async () => {
    const w = await seededWorld();
    try {
      type Body = { content: Record<string, { schema: Record<string, unknown> }> };
      const doc = (await w.app.inject('/openapi.json')).json() as { paths: Record<string, { post: { requestBody: Body } }> };
      const body = doc.paths['/apis/anvil.dev/v1/namespaces/{namespace}/volumes']!.post.requestBody.content['application/json']!.schema;
      const domain = asJson(VolumeFields) as { properties: Record<string, unknown>; required: string[] };
      expect(body.required).toEqual(domain.required);
      expect(Object.keys(body.properties as object)).toEqual(Object.keys(domain.properties));
      // OpenAPI 3.0 has no patternProperties: the selector's key pattern is the one part the document cannot carry.
      for (const field of ['name', 'size_bytes', 'mirrors', 'perf_tier', 'spread_zones']) {
        expect((body.properties as Record<string, unknown>)[field], field).toEqual(domain.properties[field]);
      }
      const create = (mirrors: number) =>
        w.call('admin', 'POST', '/apis/anvil.dev/v1/namespaces/a/volumes', { name: `vm${mirrors}`, size_bytes: 2 ** 30, mirrors });
      expect((await create(MAX_MIRRORS + 1)).statusCode).toBe(400);
      expect((await create(MAX_MIRRORS)).statusCode).toBe(201);
    } finally {
      await w.app.close();
    }
  });
});
