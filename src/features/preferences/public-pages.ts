import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError, httpStatusOf, isAppError } from '../../platform/errors.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { DEFAULT_PAGE_TEXTS, getPolicies, verifyToken } from '../consent/index.ts';
import type { Mailer } from '../messaging/index.ts';
import { paragraph, renderActionForm, renderPage, renderPreferencesForm } from './page-render.ts';
import { confirmSubscription, loadPreferences, savePreferences, unsubscribeByToken } from './subscription.service.ts';

const MAX_FORM_BYTES = 16 * 1024;

/** The client's address: the first X-Forwarded-For hop (behind a proxy), else the socket. */
export function clientOf(c: Context): { ip: string | null; userAgent: string | null } {
  const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  let ip = forwarded || null;
  if (!ip) {
    try {
      ip = getConnInfo(c).remote.address ?? null;
    } catch {
      ip = null; // app.request() in tests has no socket
    }
  }
  return { ip, userAgent: c.req.header('user-agent')?.slice(0, 1000) ?? null };
}

async function textsOf(deps: RouteDeps, token: string, purpose: 'unsubscribe' | 'preferences' | 'confirm'): Promise<Record<string, string>> {
  try {
    return (await getPolicies(deps.db, (await verifyToken(deps.db, token, purpose)).workspaceId)).page_texts;
  } catch {
    return { ...DEFAULT_PAGE_TEXTS };
  }
}

/** Pages answer errors with a page, not JSON: the reader is a person who clicked a link. */
async function page(c: Context, render: () => Promise<string>) {
  try {
    return c.html(await render());
  } catch (error) {
    if (!isAppError(error)) throw error;
    const status = error.code === 'not_found' ? 404 : httpStatusOf(error.code);
    const message = error.code === 'not_found' ? 'This link no longer works.' : error.message;
    return c.html(renderPage('Link not valid', paragraph(message)), status as 400);
  }
}

/**
 * Public pages of a contact, outside /api/v1: no admin key, the signed token is the
 * authorization. GET shows a page with a form; POST (the form, or a mail client's RFC
 * 8058 one-click POST) acts.
 */
export function registerPublicPages(app: ApiApp, deps: RouteDeps & { mailer: Mailer }): void {
  const limit = bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: () => {
      throw new AppError('too_large', `Form too large: the limit is ${MAX_FORM_BYTES} bytes`);
    },
  });
  for (const prefix of ['/u/*', '/p/*', '/c/*']) app.use(prefix, limit);

  app.get('/u/:token', (c) =>
    page(c, async () => {
      const token = c.req.param('token');
      await verifyToken(deps.db, token, 'unsubscribe');
      const t = await textsOf(deps, token, 'unsubscribe');
      return renderPage(t.unsubscribe_title!, renderActionForm(`/u/${token}`, t.unsubscribe_question!, t.unsubscribe_title!));
    }),
  );
  app.post('/u/:token', (c) =>
    page(c, async () => {
      const token = c.req.param('token');
      const { topics } = await unsubscribeByToken(deps.db, token, clientOf(c));
      const t = await textsOf(deps, token, 'unsubscribe');
      return renderPage(t.unsubscribe_title!, paragraph(t.unsubscribe_done!) + paragraph(topics.map((x) => x.name).join(', '), 'note'));
    }),
  );
  app.get('/c/:token', (c) =>
    page(c, async () => {
      const token = c.req.param('token');
      await verifyToken(deps.db, token, 'confirm');
      const t = await textsOf(deps, token, 'confirm');
      // A button, not an action on GET: link scanners in mail systems must not confirm.
      return renderPage(t.confirm_title!, renderActionForm(`/c/${token}`, t.confirm_question!, t.confirm_title!));
    }),
  );
  app.post('/c/:token', (c) =>
    page(c, async () => {
      const token = c.req.param('token');
      const { topic } = await confirmSubscription(deps.db, token, clientOf(c));
      const t = await textsOf(deps, token, 'confirm');
      return renderPage(t.confirm_title!, paragraph(t.confirm_done!) + paragraph(topic.name, 'note'));
    }),
  );
  app.get('/p/:token', (c) =>
    page(c, async () => {
      const token = c.req.param('token');
      const view = await loadPreferences(deps.db, token);
      const t = await textsOf(deps, token, 'preferences');
      return renderPage(t.preferences_title!, renderPreferencesForm(`/p/${token}`, view, t, null));
    }),
  );
  app.post('/p/:token', (c) =>
    page(c, async () => {
      const token = c.req.param('token');
      const form = await c.req.parseBody({ all: true });
      const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
      const t = await textsOf(deps, token, 'preferences');
      const view = await savePreferences(deps.db, token, {
        topics: list(form.topic),
        channels: list(form.channel),
        unsubscribeAll: form.action === 'unsubscribe_all',
        consentText: t.preferences_intro!,
        ...clientOf(c),
      });
      return renderPage(t.preferences_title!, renderPreferencesForm(`/p/${token}`, view, t, t.preferences_saved!));
    }),
  );
}
