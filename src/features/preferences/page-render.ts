import { escapeHtml } from '../messaging/index.ts';
import type { PreferenceView } from './subscription.service.ts';

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d2433}fieldset{border:1px solid #d5dae3;border-radius:6px;margin:1rem 0}button{font:inherit;padding:.4rem 1rem}.note{color:#5b6578}';

/** A complete page; every text passes through escapeHtml. */
export function renderPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export const paragraph = (text: string, cls = '') => `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</p>`;

/** A form that POSTs back to the same address: works without JavaScript. */
export function renderActionForm(action: string, question: string, button: string): string {
  return `${paragraph(question)}<form method="post" action="${escapeHtml(action)}"><button type="submit">${escapeHtml(button)}</button></form>`;
}

export function renderPreferencesForm(action: string, view: PreferenceView, texts: Record<string, string>, notice: string | null): string {
  const topics = view.topics
    .map(
      (s) =>
        `<label><input type="checkbox" name="topic" value="${escapeHtml(s.topic.key)}"${s.subscribed ? ' checked' : ''}> ${escapeHtml(s.topic.name)}</label>` +
        (s.topic.description ? `<br><span class="note">${escapeHtml(s.topic.description)}</span>` : ''),
    )
    .join('<br>');
  const channels = view.channels
    .map((c) => `<label><input type="checkbox" name="channel" value="${escapeHtml(c.channel)}"${c.accepted ? ' checked' : ''}> ${escapeHtml(c.channel)}</label>`)
    .join('<br>');
  return (
    (notice ? `<p role="status"><strong>${escapeHtml(notice)}</strong></p>` : '') +
    paragraph(texts.preferences_intro ?? '') +
    (view.email ? paragraph(view.email, 'note') : '') +
    `<form method="post" action="${escapeHtml(action)}">` +
    `<fieldset><legend>Topics</legend>${topics || '(none)'}</fieldset>` +
    `<fieldset><legend>Channels</legend>${channels || '(none)'}</fieldset>` +
    `<button type="submit" name="action" value="save">${escapeHtml(texts.save_label ?? 'Save')}</button> ` +
    `<button type="submit" name="action" value="unsubscribe_all">${escapeHtml(texts.unsubscribe_all_label ?? 'Unsubscribe from everything')}</button>` +
    `</form>`
  );
}
