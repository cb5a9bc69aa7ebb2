import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { getJson, createTestApp, type TestApp } from '../../testing/test-app.ts';
import { ChannelGrouping, deriveTouchpoints, TOUCH_EVENTS } from '../attribution/index.ts';
import { getScoresOfContact, saveScoringModel } from '../audiences/index.ts';
import { cliActor } from '../audit/index.ts';
import { listTouchEvents } from '../events/index.ts';
import { requestErasure } from '../privacy/index.ts';
import { renderEmail } from '../templates/index.ts';
import { makeContact, saveTemplate } from '../templates/template-fixtures.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { addEmailTracking, MACHINE_OPEN_SECONDS, PIXEL_GIF } from './index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let ada: string;
const publicUrl = 'http://keel.test';
const BODY = `<html><body>
<p>Hi {{ contact.first_name }}</p>
<a href="https://northstack.example/pricing?plan=pro&amp;seats=5">Pricing</a>
<a class="cta" href='https://northstack.example/demo?utm_campaign=spring&utm_source=partner'>Demo</a>
<a href="mailto:sales@northstack.example">Mail us</a>
<a href="https://northstack.example/private" data-keel-track="false">Untracked</a>
<a href="${publicUrl}/p/sometoken">Preferences</a>
</body></html>`;

type EventRow = { name: string; contact_id: string; properties: Record<string, unknown>; utm_source: string | null; utm_campaign: string | null };
const events = async (name: string) => ((await getJson(t.app, `/api/v1/events?name=${encodeURIComponent(name)}&contact_id=${ada}`, ws.adminKey.key)).body.data ?? []) as unknown as EventRow[];
const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
const pixelOf = (html: string) => /src="http:\/\/keel\.test(\/t\/o\/[^"]+\.gif)"/.exec(html)![1]!;
const get = (path: string, userAgent = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15') =>
  t.app.request(path, { headers: { 'user-agent': userAgent } });

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('tracking');
  await saveScoringModel(t.db.kysely, ws.id, 'name: clicks\nengagement:\n  - { name: Email click, event: Email Link Clicked, points: 7 }\n', cliActor());
  ada = await makeContact(t, ws, { email: 'ada@acme.example', firstName: 'Ada' });
  await saveTemplate(t, ws, { key: 'launch', format: 'html', body: BODY });
});
afterAll(async () => {
  await t.mailer.close();
  await t.close();
});

describe(`tracked links (${testDatabaseLabel})`, () => {
  it('rewrites http(s) links to signed click URLs with UTM parameters, leaving mailto, opted-out and Keel links alone', async () => {
    const messageId = randomUUID();
    const email = await renderEmail(t.db.kysely, { workspaceId: ws.id, contactId: ada, templateKey: 'launch', messageId, publicUrl, journey: { id: 'nurture', version: 3, stepId: 'welcome-mail', variant: 'b' } });
    const links = hrefs(email.html);
    expect(links[0]).toMatch(/^http:\/\/keel\.test\/t\/c\/[\w-]+\.[\w-]+$/);
    expect(links[1]).toMatch(/^http:\/\/keel\.test\/t\/c\//);
    expect(links.slice(2)).toEqual(['mailto:sales@northstack.example', 'https://northstack.example/private', `${publicUrl}/p/sometoken`]);
    expect(email.html).not.toContain('data-keel-track');
    expect(email.html).toContain('class="cta"');
    // The plain-text part links to the destinations (with UTM), not to the tracker.
    expect(email.text).toContain('https://northstack.example/pricing?plan=pro&seats=5&utm_source=keel&utm_medium=email&utm_campaign=nurture&utm_content=welcome-mail');
    expect(email.text).not.toContain('/t/c/');

    const first = await get(new URL(links[0]!).pathname);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('https://northstack.example/pricing?plan=pro&seats=5&utm_source=keel&utm_medium=email&utm_campaign=nurture&utm_content=welcome-mail');
    const second = await get(new URL(links[1]!).pathname);
    // utm_* already in the link are kept; only the missing ones are added.
    expect(second.headers.get('location')).toBe('https://northstack.example/demo?utm_campaign=spring&utm_source=partner&utm_medium=email&utm_content=welcome-mail');

    const clicks = await events('Email Link Clicked');
    expect(clicks).toHaveLength(2);
    const pricing = clicks.find((c) => c.properties.link_index === 0)!;
    expect(pricing.properties).toMatchObject({ message_id: messageId, template: 'launch', journey_id: 'nurture', journey_version: 3, step_id: 'welcome-mail', variant: 'b', url: first.headers.get('location'), utm_source: 'keel', utm_campaign: 'nurture' });
    expect(pricing.utm_source).toBe('keel');
  });

  it('makes clicks email touchpoints for attribution and feeds scoring through the audience queue', async () => {
    const rows = await listTouchEvents(t.db.kysely, ws.id, { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000), names: Object.keys(TOUCH_EVENTS) });
    const touches = deriveTouchpoints(ada, rows.filter((r) => r.contact_id === ada), new ChannelGrouping());
    expect(touches.map((x) => [x.kind, x.source, x.medium, x.campaign, x.content])).toEqual([
      ['email_click', 'keel', 'email', 'nurture', 'welcome-mail'],
      ['email_click', 'partner', 'email', 'spring', 'welcome-mail'],
    ]);
    await t.drain();
    const [score] = await getScoresOfContact(t.db.kysely, ws.id, ada);
    // Both clicks (7 points each) reached scoring.
    expect(Number(score!.engagement)).toBeGreaterThan(7);
  });

  it('refuses a tampered, forged or misused token with a 400 page and never redirects', async () => {
    const email = await renderEmail(t.db.kysely, { workspaceId: ws.id, contactId: ada, templateKey: 'launch', messageId: randomUUID(), publicUrl });
    const token = new URL(hrefs(email.html)[0]!).pathname.slice('/t/c/'.length);
    const [payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { d: { u: string } };
    claims.d.u = 'https://evil.example/phish';
    const tampered = `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const other = await t.workspace('other');
    const before = (await events('Email Link Clicked')).length;
    for (const bad of [tampered, `${payload}.${'A'.repeat(signature!.length)}`, 'not-a-token', pixelOf(email.html).slice('/t/o/'.length, -'.gif'.length), `${payload}.${signature}.x`]) {
      const res = await get(`/t/c/${bad}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('Link not valid');
    }
    expect(other.id).not.toBe(ws.id);
    expect((await events('Email Link Clicked')).length).toBe(before);
  });
});

describe(`open pixel (${testDatabaseLabel})`, () => {
  it('always answers a GIF; records only valid tokens; marks proxy and too-early opens as machine opens', async () => {
    const messageId = randomUUID();
    const email = await renderEmail(t.db.kysely, { workspaceId: ws.id, contactId: ada, templateKey: 'launch', messageId, publicUrl });
    const pixel = pixelOf(email.html);
    const proxied = await get(pixel, 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)');
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await proxied.arrayBuffer())).toEqual(PIXEL_GIF);
    // Within MACHINE_OPEN_SECONDS of rendering: a person has not read it yet.
    await get(pixel);
    // Rendered a minute ago (issuedAt), opened by a person's mail client now.
    const earlier = await addEmailTracking(t.db.kysely, '<html><body>x</body></html>', { workspaceId: ws.id, contactId: ada, messageId, templateKey: 'launch', templateVersion: 1, journeyId: null, journeyVersion: null, stepId: null, variant: null, publicUrl, issuedAt: new Date(Date.now() - (MACHINE_OPEN_SECONDS + 50) * 1000) });
    await get(pixelOf(earlier.html));
    await get(pixelOf(earlier.html));
    for (const bad of ['/t/o/garbage.gif', `${pixel.slice(0, -10)}AAAAA.gif`]) {
      const res = await get(bad);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/gif');
    }
    const opens = (await events('Email Opened')).filter((e) => e.properties.message_id === messageId);
    // Newest first: two human opens (repeated opens are all recorded), the early one, the proxy.
    expect(opens.map((e) => [e.properties.machine_open, e.properties.machine_open_reason])).toEqual([
      [false, null],
      [false, null],
      [true, 'too_soon_after_send'],
      [true, 'google_image_proxy'],
    ]);
    expect(opens[0]!.properties).toMatchObject({ template: 'launch', journey_id: null, step_id: null, variant: null });
  });
});

describe(`erased contacts (${testDatabaseLabel})`, () => {
  it('still redirects a click of an erased person but records nothing about them', async () => {
    const eve = await makeContact(t, ws, { email: 'eve@acme.example', firstName: 'Eve' });
    const email = await renderEmail(t.db.kysely, { workspaceId: ws.id, contactId: eve, templateKey: 'launch', messageId: randomUUID(), publicUrl });
    expect((await requestErasure(t.db.kysely, ws.id, 'eve@acme.example', cliActor())).status).toBe('done');
    const res = await get(new URL(hrefs(email.html)[0]!).pathname);
    expect(res.status).toBe(302);
    expect((await get(pixelOf(email.html))).status).toBe(200);
    const rows = await getJson(t.app, `/api/v1/events?contact_id=${eve}`, ws.adminKey.key);
    expect(rows.body.data).toEqual([]);
  });
});
