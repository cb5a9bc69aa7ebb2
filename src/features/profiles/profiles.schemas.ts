import { z } from '@hono/zod-openapi';
import { isoDate } from '../../platform/http/api-app.ts';

export const ContactSchema = z
  .object({
    id: z.string().uuid(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    title: z.string().nullable(),
    company: z.string().nullable(),
    country: z.string().nullable(),
    timezone: z.string().nullable(),
    traits: z.record(z.string(), z.unknown()),
    traits_updated_at: isoDate.nullable().openapi({ description: 'Event time of the newest identify applied' }),
    created_at: isoDate,
    updated_at: isoDate,
    first_seen_at: isoDate.nullable(),
    last_seen_at: isoDate.nullable(),
  })
  .openapi('Contact');

export const AccountSchema = z
  .object({
    id: z.string().uuid(),
    external_id: z.string().nullable(),
    domain: z.string().nullable(),
    name: z.string().nullable(),
    industry: z.string().nullable(),
    employees: z.number().int().nullable(),
    annual_revenue: z.string().nullable().openapi({ description: 'Decimal as a string (exact)' }),
    country: z.string().nullable(),
    traits: z.record(z.string(), z.unknown()),
    created_at: isoDate,
    updated_at: isoDate,
  })
  .openapi('Account');

