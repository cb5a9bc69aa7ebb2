import { describe, expect, it } from 'vitest';
import { testDatabaseLabel } from './platform/db/test-database.ts';
import { createTestApp } from './testing/test-app.ts';

describe(`health and unknown routes (${testDatabaseLabel})`, () => {
  it('answers 200 while the database answers, 503 once it does not', async () => {
    const t = await createTestApp();
    const up = await t.app.request('/health');
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: 'ok' });
    await t.close();
    const down = await t.app.request('/health');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable' });
  });

  it('answers unknown routes with a JSON 404 that names the route', async () => {
    const t = await createTestApp();
    try {
      const res = await t.app.request('/v2/track', { method: 'POST' });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found', message: 'No route for POST /v2/track' } });
    } finally {
      await t.close();
    }
  });
});
