/**
 * The page at `/`: what is running and where to go next. It shows no workspace data,
 * since it is served without a key.
 */
export function renderHomePage(database: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Keel</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1d2433}
code{background:#eef1f6;padding:.1rem .3rem;border-radius:4px}h1{margin-bottom:0}p.sub{color:#5b6578;margin-top:.2rem}
li{margin:.3rem 0}</style></head>
<body><h1>Keel</h1><p class="sub">Marketing operations backbone · database: ${database}</p>
<h2>Send events</h2>
<p>Point any Segment or RudderStack SDK at this address with a write key (<code>kw_…</code>):
<code>POST /v1/identify|track|page|screen|group|alias|batch</code>.</p>
<h2>Read and manage</h2>
<ul>
<li><a href="/api/v1/openapi.json">OpenAPI document</a> of the management API (admin key as <code>Authorization: Bearer ka_…</code>)</li>
<li><code>GET /api/v1/stats</code>, <code>/api/v1/contacts</code>, <code>/api/v1/accounts</code>, <code>/api/v1/events</code>, <code>/api/v1/rejected-events</code></li>
<li><a href="/health">Health</a></li>
</ul>
<p>The CLI does the same from a shell: <code>npx keel --help</code>.</p>
</body></html>`;
}
