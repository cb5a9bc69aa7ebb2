// The demo workspace's audiences: the "Enterprise accounts" segment of the product's
// defining scenario, a scoring model, stage rules, and a few segments built on them.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { systemActor } from '../audit/index.ts';
import { analyzeAudienceTables, applySegment, recomputeAudiences, saveScoringModel, saveStageRules } from '../audiences/index.ts';
import { ENTERPRISE_EMPLOYEES } from './demo-companies.ts';

const SENIOR_TITLE = `{ any: [{ field: { name: title, op: starts_with, value: "VP" } }, { field: { name: title, op: contains, value: "Chief" } }, { field: { name: title, op: contains, value: "Director" } }, { field: { name: title, op: starts_with, value: "Head of" } }, { field: { name: title, op: in, value: [CFO, CIO] } }] }`;

export const DEMO_SCORING_MODEL = `
name: northstack
description: Fit (title, company size, industry) and engagement (webinars, demo requests, pricing visits) for the Northstack platform
fit:
  - { name: Senior title, points: 20, when: ${SENIOR_TITLE} }
  - { name: Marketing team, points: 10, when: { field: { name: title, op: contains, value: "Marketing" } } }
  - { name: Enterprise company, points: 15, when: { account: { field: { name: employees, op: gte, value: ${ENTERPRISE_EMPLOYEES} } } } }
  - { name: Target industry, points: 5, when: { account: { field: { name: industry, op: in, value: [Software, Financial Services, Healthcare] } } } }
  - { name: Competitor or free mail, points: -20, when: { any: [{ field: { name: email, op: ends_with, value: "@marketo.com" } }, { field: { name: email, op: ends_with, value: "@gmail.com" } }] } }
engagement:
  - { name: Demo requested, event: Demo Requested, points: 30 }
  - { name: Trial started, event: Trial Started, points: 25 }
  - { name: Webinar attended, event: Webinar Attended, points: 10, cap: { max: 2, per: month } }
  - { name: Content downloaded, event: Content Downloaded, points: 5, cap: { max: 3, per: week } }
  - { name: Pricing page, event: Pricing, points: 3, cap: { max: 3, per: week } }
  - { name: Email click, event: Email Link Clicked, points: 2, cap: { max: 5, per: week } }
  - { name: Careers page, event: Careers, points: -5 }
decay: { half_life_days: 30 }
lookback_days: 180
account_fit:
  - { name: Enterprise, points: 25, when: { field: { name: employees, op: gte, value: ${ENTERPRISE_EMPLOYEES} } } }
`;

export const DEMO_STAGE_RULES = `
lifecycle:
  - { stage: subscriber, when: { event: { name: Form Submitted } } }
  - { stage: lead, when: { field: { name: email, op: exists } } }
  - { stage: mql, when: { score: { model: northstack, op: gte, value: 60 } } }
  - { stage: sql, when: { event: { name: Demo Requested } } }
  - { stage: opportunity, when: { account: { opportunity: { status: open } } } }
  - { stage: customer, when: { account: { opportunity: { status: won } } } }
engagement:
  - { stage: highly_engaged, when: { all: [{ score: { model: northstack, of: engagement, op: gte, value: 40 } }, { field: { name: last_seen_at, op: within_last_days, value: 14 } }] } }
  - { stage: engaged, when: { all: [{ score: { model: northstack, of: engagement, op: gte, value: 10 } }, { field: { name: last_seen_at, op: within_last_days, value: 30 } }] } }
  - { stage: new, when: { field: { name: first_seen_at, op: within_last_days, value: 30 } } }
  - { stage: dormant }
`;

export const DEMO_SEGMENTS = [
  `
name: Enterprise accounts
description: Contacts at accounts of ${ENTERPRISE_EMPLOYEES}+ employees (the scenario's audience)
rules:
  - account: { field: { name: employees, op: gte, value: ${ENTERPRISE_EMPLOYEES} } }
`,
  `
name: Enterprise accounts (accounts)
subject: account
description: The accounts themselves, with at least one engaged contact
rules:
  - field: { name: employees, op: gte, value: ${ENTERPRISE_EMPLOYEES} }
  - contacts: { where: { stage: { dimension: engagement, op: in, value: [engaged, highly_engaged] } } }
`,
  `
name: Buying group covered
subject: account
description: At least 2 engaged senior contacts, one of them in finance
rules:
  - contacts: { at_least: 2, where: { all: [${SENIOR_TITLE}, { score: { model: northstack, of: engagement, op: gte, value: 10 } }] } }
  - contacts: { where: { all: [{ field: { name: title, op: in, value: [CFO, VP Finance] } }, { score: { model: northstack, of: engagement, op: gte, value: 10 } }] } }
`,
  `
name: Webinar fans
description: Attended at least 2 webinars in the last 90 days
rules:
  - event: { name: Webinar Attended, at_least: 2, within_last_days: 90 }
`,
  `
name: Enterprise MQLs
rules:
  - segment: { name: Enterprise accounts }
  - stage: { op: in, value: [mql, sql] }
`,
];

/** Saves the demo's scoring model and stage rules, computes them, then applies the segments. */
export async function applyDemoAudiences(db: Kysely<Database>, workspaceId: string): Promise<void> {
  const actor = systemActor('demo');
  await db.transaction().execute(async (trx) => {
    await saveScoringModel(trx, workspaceId, DEMO_SCORING_MODEL, actor);
    await saveStageRules(trx, workspaceId, DEMO_STAGE_RULES, actor);
  });
  await analyzeAudienceTables(db);
  // Scores and stages first: the segments read them when they are applied.
  await recomputeAudiences(db, workspaceId);
  await analyzeAudienceTables(db);
  for (const segment of DEMO_SEGMENTS) await applySegment(db, workspaceId, segment, actor);
}
