/** Where a tracked email comes from: what its links' UTM parameters say. */
export interface UtmContext {
  templateKey: string;
  journeyId?: string | undefined;
  stepId?: string | undefined;
}

/**
 * The UTM rule: utm_source=keel, utm_medium=email, utm_campaign=<journey id, else template
 * key>, utm_content=<step id, else template key>. A utm_* parameter the link already has
 * is kept as the author wrote it, never overwritten.
 */
export function appendUtmParameters(url: URL, context: UtmContext): URL {
  const out = new URL(url.href);
  const wanted: Array<[string, string]> = [
    ['utm_source', 'keel'],
    ['utm_medium', 'email'],
    ['utm_campaign', context.journeyId ?? context.templateKey],
    ['utm_content', context.stepId ?? context.templateKey],
  ];
  for (const [name, value] of wanted) if (!out.searchParams.has(name)) out.searchParams.append(name, value);
  return out;
}

/** The utm_* parameters of a URL (what a click event carries for attribution). */
export function utmOf(url: string): Record<'utm_source' | 'utm_medium' | 'utm_campaign' | 'utm_term' | 'utm_content', string | null> {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    params = new URLSearchParams();
  }
  const get = (name: string) => params.get(name) || null;
  return { utm_source: get('utm_source'), utm_medium: get('utm_medium'), utm_campaign: get('utm_campaign'), utm_term: get('utm_term'), utm_content: get('utm_content') };
}
