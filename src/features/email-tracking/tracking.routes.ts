import type { Context } from 'hono';
import { isAppError } from '../../platform/errors.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { recordEmailClick, recordEmailOpen, type HitClient } from './tracking.service.ts';
import { verifyClickToken, verifyOpenToken } from './tracking-token.ts';

// The smallest transparent GIF (1x1, 43 bytes).
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function clientOf(c: Context): HitClient {
  const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  return { ip: forwarded || null, userAgent: c.req.header('user-agent')?.slice(0, 1000) ?? null };
}

const gif = (c: Context) =>
  c.body(new Uint8Array(PIXEL_GIF), 200, { 'content-type': 'image/gif', 'cache-control': 'no-store, no-cache, must-revalidate, private', 'content-length': String(PIXEL_GIF.length) });

const BAD_LINK_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Link not valid</title></head>' +
  '<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem"><h1>Link not valid</h1>' +
  '<p>This link is damaged or was not made by us, so we do not follow it. Use the link in your email as it arrived.</p></body></html>';

/**
 * Public tracking routes, outside /api/v1 (no admin key: the signed token is the key).
 * The pixel is always a GIF, whether the token is valid or not; only a valid token records.
 * A click with a bad token gets a 400 page and never a redirect (no open redirect).
 */
export function registerTrackingRoutes(app: ApiApp, deps: RouteDeps): void {
  app.get('/t/o/:token', async (c) => {
    const token = c.req.param('token').replace(/\.gif$/i, '');
    try {
      await recordEmailOpen(deps.db, await verifyOpenToken(deps.db, token), clientOf(c));
    } catch (error) {
      if (!isAppError(error)) deps.logger.error({ err: error }, 'email tracking: open not recorded');
    }
    return gif(c);
  });
  app.get('/t/c/:token', async (c) => {
    let click;
    try {
      click = await verifyClickToken(deps.db, c.req.param('token'));
    } catch (error) {
      if (!isAppError(error)) throw error;
      return c.html(BAD_LINK_PAGE, 400);
    }
    try {
      await recordEmailClick(deps.db, click, clientOf(c));
    } catch (error) {
      // The person still gets where the link goes; the lost click is logged.
      deps.logger.error({ err: error, messageId: click.messageId }, 'email tracking: click not recorded');
    }
    return c.redirect(click.url, 302);
  });
}
