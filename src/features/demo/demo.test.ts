import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { isAppError } from '../../platform/errors.ts';
import { listHealthSnapshots } from '../data-health/index.ts';
import { listUnknowns, listViolations } from '../tracking-plan/index.ts';
import {
  DEMO_FREE_MAIL_DOMAINS,
  ENTERPRISE_EMPLOYEES,
  EVENTS_PER_ACCOUNT,
  demoAccountCount,
  demoEventBatches,
  describeDemoAccount,
  generateDemoEvents,
  seedDemoWorkspace,
  type DemoEvent,
  type DemoOpportunity,
  type DemoOptions,
  type SeedProgress,
} from './index.ts';

const ANCHOR = new Date('2025-06-01T12:00:00.000Z');
const WINDOW_START = ANCHOR.getTime() - 180 * 86_400_000;

function collect(options: DemoOptions) {
  const events: DemoEvent[] = [];
  const opportunities: DemoOpportunity[] = [];
  for (const batch of generateDemoEvents(options)) {
    events.push(...batch.events);
    opportunities.push(...batch.opportunities);
  }
  return { events, opportunities };
}

// Generated once: the realism checks below all read the same 500 accounts.
const sample = collect({ seed: 11, scale: 0.25, anchor: ANCHOR });
const sampleAccounts = Array.from({ length: demoAccountCount(0.25) }, (_, i) => describeDemoAccount(11, i));

describe('demo generator', () => {
  it('is deterministic: same seed and anchor, same events; another seed, other events', () => {
    const first = collect({ seed: 3, scale: 0.01, anchor: ANCHOR });
    const again = collect({ seed: 3, scale: 0.01, anchor: ANCHOR });
    const other = collect({ seed: 4, scale: 0.01, anchor: ANCHOR });
    expect(first.events.length).toBeGreaterThan(1000);
    expect(again).toEqual(first);
    expect(other.events.map((e) => e.timestamp)).not.toEqual(first.events.map((e) => e.timestamp));
    const firstIds = new Set(first.events.map((e) => e.messageId));
    expect(other.events.filter((e) => firstIds.has(e.messageId))).toEqual([]);
  });

  it('gives every event a unique messageId and a timestamp within the 180 days before the anchor', () => {
    expect(new Set(sample.events.map((e) => e.messageId)).size).toBe(sample.events.length);
    const outside = sample.events.filter((e) => Date.parse(e.timestamp) < WINDOW_START || Date.parse(e.timestamp) > ANCHOR.getTime());
    expect(outside).toEqual([]);
  });

  it('draws accounts of every size, with a meaningful share of enterprises, across industries and countries', () => {
    const employees = sampleAccounts.map((a) => a.employees);
    const enterpriseShare = employees.filter((e) => e >= ENTERPRISE_EMPLOYEES).length / employees.length;
    expect(enterpriseShare).toBeGreaterThan(0.2);
    expect(enterpriseShare).toBeLessThan(0.45);
    expect(Math.min(...employees)).toBeLessThan(20);
    expect(Math.max(...employees)).toBeGreaterThan(20_000);
    expect(employees.filter((e) => e < 200).length / employees.length).toBeGreaterThan(0.3);
    expect(new Set(sampleAccounts.map((a) => a.industry.name)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(sampleAccounts.map((a) => a.country.code)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(sampleAccounts.map((a) => a.domain)).size).toBe(sampleAccounts.length);
    for (const a of sampleAccounts) expect(a.annualRevenue).toBeGreaterThan(0);
  });

  it('gives contacts work e-mails on their account domain (a few free-mail), and varied titles', () => {
    const groupOf = new Map(sample.events.filter((e) => e.type === 'group').map((e) => [e.userId!, e.groupId!]));
    const domainOf = new Map(sampleAccounts.map((a) => [a.externalId, a.domain]));
    const identifies = sample.events.filter((e) => e.type === 'identify' && e.traits?.email && e.traits.title);
    const onDomain = identifies.filter((e) => String(e.traits!.email).endsWith(`@${domainOf.get(groupOf.get(e.userId!)!)}`));
    const freeMail = identifies.filter((e) => DEMO_FREE_MAIL_DOMAINS.some((d) => String(e.traits!.email).endsWith(`@${d}`)));
    expect(onDomain.length + freeMail.length).toBe(identifies.length);
    expect(freeMail.length / identifies.length).toBeGreaterThan(0.02);
    expect(freeMail.length / identifies.length).toBeLessThan(0.2);
    const titles = new Set(identifies.map((e) => e.traits!.title));
    for (const title of ['VP Marketing', 'Director of IT', 'CFO', 'Marketing Ops Manager', 'Software Engineer']) expect(titles).toContain(title);
  });

  it('covers the channels, the funnel events and sessions that do and do not identify', () => {
    const campaigns = new Set(sample.events.map((e) => e.context.campaign as { source: string; medium: string } | undefined).filter((c) => c).map((c) => `${c!.source}/${c!.medium}`));
    for (const pair of ['google/cpc', 'linkedin/paid_social', 'facebook/paid_social', 'newsletter/email', 'g2/referral']) expect(campaigns).toContain(pair);
    expect([...campaigns].some((c) => c.endsWith('/event'))).toBe(true);
    expect([...campaigns].some((c) => c.endsWith('/webinar'))).toBe(true);
    const landings = sample.events.filter((e) => e.type === 'page' && (e.properties?.search as string).includes('utm_source=google'));
    expect(landings.length).toBeGreaterThan(0);
    const referrers = new Set(sample.events.filter((e) => e.type === 'page').map((e) => e.properties!.referrer));
    expect(referrers).toContain('https://www.google.com/');
    expect(referrers).toContain('');
    const names = new Set(sample.events.map((e) => e.event));
    for (const name of ['Form Submitted', 'Email Opened', 'Email Link Clicked', 'Webinar Registered', 'Webinar Attended', 'Content Downloaded', 'Demo Requested']) {
      expect(names).toContain(name);
    }
    const identified = new Set(sample.events.filter((e) => e.type === 'identify').map((e) => e.anonymousId));
    const anonymousPages = sample.events.filter((e) => e.type === 'page' && !e.userId);
    const stitchable = anonymousPages.filter((e) => identified.has(e.anonymousId));
    expect(stitchable.length).toBeGreaterThan(anonymousPages.length * 0.2);
    expect(anonymousPages.length - stitchable.length).toBeGreaterThan(anonymousPages.length * 0.1);
  });

  it('sizes the data in proportion to scale', () => {
    const count = (scale: number) => {
      let events = 0;
      for (const batch of generateDemoEvents({ seed: 5, scale, anchor: ANCHOR })) events += batch.events.length;
      return events;
    };
    const small = count(0.1);
    const large = count(0.2);
    expect(large / small).toBeGreaterThan(1.6);
    expect(large / small).toBeLessThan(2.5);
    const perAccount = sample.events.length / sampleAccounts.length;
    expect(perAccount).toBeGreaterThan(EVENTS_PER_ACCOUNT * 0.75);
    expect(perAccount).toBeLessThan(EVENTS_PER_ACCOUNT * 1.25);
    const contacts = new Set(sample.events.filter((e) => e.userId).map((e) => e.userId)).size;
    expect(contacts / sampleAccounts.length).toBeGreaterThan(7);
    expect(contacts / sampleAccounts.length).toBeLessThan(13);
  });

  it('plans opportunities after the account engaged, closed ones with dates, mostly in USD', () => {
    const { opportunities, events } = sample;
    expect(opportunities.length / sampleAccounts.length).toBeGreaterThan(0.15);
    expect(opportunities.length / sampleAccounts.length).toBeLessThan(0.45);
    expect(new Set(opportunities.map((o) => o.stage))).toEqual(new Set(['Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Closed Won', 'Closed Lost']));
    expect(opportunities.filter((o) => o.currency === 'USD').length / opportunities.length).toBeGreaterThan(0.7);
    const firstTouch = new Map<string, string>();
    const groupOf = new Map(events.filter((e) => e.type === 'group').map((e) => [e.userId!, e.groupId!]));
    for (const e of events) {
      const account = e.userId ? groupOf.get(e.userId) : undefined;
      if (account && (!firstTouch.has(account) || e.timestamp < firstTouch.get(account)!)) firstTouch.set(account, e.timestamp);
    }
    for (const o of opportunities) {
      expect(o.createdDate > firstTouch.get(o.accountExternalId)!).toBe(true);
      expect(o.amount).toBeGreaterThan(0);
      expect(o.closedDate === null).toBe(!o.stage.startsWith('Closed'));
      if (o.closedDate) expect(o.closedDate >= o.createdDate && Date.parse(o.closedDate) <= ANCHOR.getTime()).toBe(true);
    }
    const employeesOf = new Map(sampleAccounts.map((a) => [a.externalId, a.employees]));
    const mean = (list: DemoOpportunity[]) => list.reduce((sum, o) => sum + o.amount, 0) / list.length;
    const enterprise = opportunities.filter((o) => employeesOf.get(o.accountExternalId)! >= ENTERPRISE_EMPLOYEES && o.currency === 'USD');
    const small = opportunities.filter((o) => employeesOf.get(o.accountExternalId)! < 200 && o.currency === 'USD');
    expect(mean(enterprise)).toBeGreaterThan(mean(small) * 3);
  });

  it('serves benchmark batches of a fixed size from the same stream', () => {
    const batches = [...demoEventBatches({ seed: 3, batchSize: 100, maxEvents: 1050, anchor: ANCHOR })];
    expect(batches.map((b) => b.length)).toEqual([...Array(10).fill(100), 50]);
    const stream = collect({ seed: 3, scale: 0.01, anchor: ANCHOR }).events.slice(0, 1050);
    expect(batches.flat()).toEqual(stream);
  });

  it('refuses a scale, seed or anchor out of range', () => {
    for (const options of [{ scale: 0 }, { scale: 51 }, { scale: Number.NaN }, { seed: -1 }, { seed: 1.5 }, { anchor: new Date('nope') }]) {
      let error: unknown;
      try {
        generateDemoEvents(options).next();
      } catch (caught) {
        error = caught;
      }
      expect(isAppError(error) && error.code === 'invalid', JSON.stringify(options)).toBe(true);
    }
  });
});

describe(`demo seeding (${testDatabaseLabel})`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('seeds through ingest: stitched sessions, linked accounts, opportunities with revenue; re-runs change nothing', async () => {
    const options = { seed: 21, scale: 0.02, anchor: ANCHOR };
    const expected = collect(options);
    const progress: SeedProgress[] = [];
    const result = await seedDemoWorkspace(db.kysely, { ...options, onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ createdWorkspace: true, rejected: 0, events: expected.events.length, opportunities: expected.opportunities.length, accounts: 40 });
    expect(progress.at(-1)).toMatchObject({ events: expected.events.length, accounts: 40, totalAccounts: 40 });
    expect(progress.map((p) => p.events)).toEqual([...progress.map((p) => p.events)].sort((a, b) => a - b));
    const ws = result.workspaceId;
    const count = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(db.kysely)).rows[0]!.n;

    expect(await count(sql`select count(*)::int as n from events where workspace_id = ${ws}`)).toBe(expected.events.length);
    expect(await count(sql`select count(*)::int as n from accounts where workspace_id = ${ws}`)).toBe(40);
    const knownContacts = new Set(expected.events.filter((e) => e.userId).map((e) => e.userId)).size;
    // examples/contacts.csv: 10 rows, one refused, one a second row for the same person.
    expect(result.csvImport).toMatchObject({ inserted: 8, updated: 1, unchanged: 0, refused: 1 });
    expect(await count(sql`select count(*)::int as n from contacts where workspace_id = ${ws} and email is not null`)).toBe(knownContacts + 8);
    expect(await count(sql`select count(distinct contact_id)::int as n from contact_accounts where workspace_id = ${ws}`)).toBe(knownContacts);
    expect(await count(sql`select count(*)::int as n from identity_conflicts where workspace_id = ${ws}`)).toBe(0);
    // Every event of a device that identified belongs to the identified contact, the
    // anonymous page views before the identify included.
    expect(await count(sql`
      select count(*)::int as n from events e
      join events i on i.workspace_id = e.workspace_id and i.type = 'identify' and i.anonymous_id = e.anonymous_id
      where e.workspace_id = ${ws} and e.contact_id is distinct from i.contact_id`)).toBe(0);
    const stitched = await count(sql`
      select count(*)::int as n from events e
      join contacts c on c.workspace_id = e.workspace_id and c.id = e.contact_id
      where e.workspace_id = ${ws} and e.type = 'page' and e.user_id is null and c.email is not null`);
    expect(stitched).toBeGreaterThan(100);
    expect(await count(sql`select count(*)::int as n from contacts where workspace_id = ${ws} and email is null`)).toBeGreaterThan(0);
    // Enriched on the way in: every known contact has a seniority from its title (those of
    // the ingested events and the 8 the sample CSV adds), and the demo's .example free-mail
    // addresses count as personal.
    expect(await count(sql`select count(*)::int as n from contacts where workspace_id = ${ws} and traits ? 'enriched_seniority'`)).toBe(knownContacts + result.csvImport.inserted);
    const freeMail = expected.events.filter((e) => e.type === 'identify' && DEMO_FREE_MAIL_DOMAINS.some((d) => String(e.traits?.email ?? '').endsWith(`@${d}`)));
    expect(freeMail.length).toBeGreaterThan(0);
    expect(await count(sql`select count(*)::int as n from contacts where workspace_id = ${ws} and traits->>'enriched_email_type' = 'personal'`))
      .toBe(new Set(freeMail.map((e) => e.userId)).size);

    const won = await db.kysely.selectFrom('opportunities').selectAll().where('workspace_id', '=', ws).where('is_won', '=', true).execute();
    expect(won.length).toBe(expected.opportunities.filter((o) => o.stage === 'Closed Won').length);
    expect(won.length).toBeGreaterThan(0);
    for (const o of won) expect(o).toMatchObject({ stage: 'Closed Won', is_closed: true, closed_date: expect.any(Date) });
    expect(won.reduce((sum, o) => sum + Number(o.amount), 0)).toBeGreaterThan(0);

    // The demo's tracking plan flags "50+" team sizes; no demo event is blocked.
    const flagged = await listViolations(db.kysely, ws, { rule: 'enum', limit: 500 });
    expect(flagged.length).toBe(expected.events.filter((e) => e.event === 'Demo Requested' && (e.properties as Record<string, unknown>).team_size === '50+').length);
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((v) => v.action === 'flag' && v.field === 'properties.team_size')).toBe(true);
    const unknownTraits = await listUnknowns(db.kysely, ws, 'trait', 10);
    expect(unknownTraits.map((u) => u.name)).toContain('identify.leadSource');
    expect(result.healthScore).toBeGreaterThan(0);
    expect(await listHealthSnapshots(db.kysely, ws, 5)).toHaveLength(1);
    // Consent: three topics, varied histories, suppressions, a few outbox messages.
    expect(await count(sql`select count(*)::int as n from subscription_topics where workspace_id = ${ws}`)).toBe(3);
    const statuses = await sql<{ status: string }>`select distinct status from consent_records where workspace_id = ${ws} order by status`.execute(db.kysely);
    expect(statuses.rows.map((r) => r.status)).toEqual(['opted_in', 'opted_out', 'pending']);
    expect(await count(sql`select count(*)::int as n from suppressions where workspace_id = ${ws}`)).toBe(3);
    expect(await count(sql`select count(*)::int as n from messages where workspace_id = ${ws} and transport = 'outbox'`)).toBe(4);
    const consentRows = await count(sql`select count(*)::int as n from consent_records where workspace_id = ${ws}`);
    // The demo's audiences are computed after the seed: the scenario's segment has members.
    const enterprise = await count(sql`select count(*)::int as n from segment_members m join segments s on s.id = m.segment_id
      where m.workspace_id = ${ws} and s.name = 'Enterprise accounts'`);
    expect(enterprise).toBeGreaterThan(0);
    expect(await count(sql`select count(*)::int as n from contact_scores where workspace_id = ${ws}`)).toBeGreaterThan(0);
    expect(await count(sql`select count(*)::int as n from stage_history where workspace_id = ${ws}`)).toBeGreaterThan(0);

    const again = await seedDemoWorkspace(db.kysely, options);
    expect(await count(sql`select count(*)::int as n from consent_records where workspace_id = ${ws}`)).toBe(consentRows);
    expect(again).toMatchObject({ workspaceId: ws, createdWorkspace: false, rejected: 0, opportunities: 0 });
    expect(again.csvImport).toMatchObject({ inserted: 0, updated: 0, unchanged: 9, refused: 1 });
    expect(await count(sql`select count(*)::int as n from events where workspace_id = ${ws}`)).toBe(expected.events.length);
    expect(await count(sql`select count(*)::int as n from opportunities where workspace_id = ${ws}`)).toBe(expected.opportunities.length);
    // Seeding twice, scores and stages included, takes 10-20 s on a quiet machine.
  }, 120_000);
});
