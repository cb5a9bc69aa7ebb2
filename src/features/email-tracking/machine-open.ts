/**
 * Which opens a person did not cause. Mail privacy proxies fetch every image when the mail
 * arrives (Apple Mail Privacy Protection) or on the first view (Gmail's image proxy), and
 * security scanners fetch links and images before delivery. The rule:
 * - the user agent is a known proxy or scanner (list below; Apple's proxy sends exactly
 *   "Mozilla/5.0" with nothing else), or
 * - the open comes within MACHINE_OPEN_SECONDS of rendering (the token's issue time,
 *   which is when the message was sent): too early for a person.
 */
export const MACHINE_OPEN_SECONDS = 10;

const PROXY_AGENTS: Array<[RegExp, string]> = [
  [/^Mozilla\/5\.0$/, 'apple_mail_privacy_protection'],
  [/GoogleImageProxy|ggpht\.com/i, 'google_image_proxy'],
  [/YahooMailProxy/i, 'yahoo_mail_proxy'],
  [/Mimecast|Proofpoint|Barracuda|Symantec|Forcepoint|MessageLabs|Trend ?Micro/i, 'security_scanner'],
  [/\b(bot|crawler|spider|preview|prefetch)\b/i, 'robot'],
];

export function classifyOpen(userAgent: string | null, openedAt: Date, issuedAt: Date | null): { machine: boolean; reason: string | null } {
  const agent = (userAgent ?? '').trim();
  for (const [pattern, reason] of PROXY_AGENTS) if (pattern.test(agent)) return { machine: true, reason };
  if (issuedAt && openedAt.getTime() - issuedAt.getTime() < MACHINE_OPEN_SECONDS * 1000) return { machine: true, reason: 'too_soon_after_send' };
  return { machine: false, reason: null };
}
