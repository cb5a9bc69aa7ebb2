import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from './platform/db/test-database.ts';
import { createTestApp, type TestApp } from './testing/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe(`OpenAPI document (${testDatabaseLabel})`, () => {
  it('is a valid OpenAPI 3.1 document that client generators can read', async () => {
    const doc = (await (await t.app.request('/api/v1/openapi.json')).json()) as Record<string, unknown>;
    // validate() resolves every $ref and checks the document against the OpenAPI 3.1 schema.
    const api = (await SwaggerParser.validate(structuredClone(doc) as never)) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const operations = Object.entries(api.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThan(20);
    // Every operation says which key it needs.
    for (const { path, method, op } of operations) expect(op.security, `${method} ${path}`).toBeDefined();
  });
});
