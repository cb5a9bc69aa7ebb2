import type { WorkspacePolicies } from '../consent/index.ts';
import { isTimeZone } from '../consent/index.ts';

/**
 * When the quiet hours in force at `now` end, or null when it is not quiet. Quiet hours
 * follow the contact's time zone when known, else the workspace's; a window may span
 * midnight (21:00-08:00).
 */
export function quietHoursEnd(p: Pick<WorkspacePolicies, 'quiet_start_minute' | 'quiet_end_minute' | 'quiet_timezone'>, contactZone: string | null, now: Date): Date | null {
  if (p.quiet_start_minute === null || p.quiet_end_minute === null) return null;
  const zone = contactZone && isTimeZone(contactZone) ? contactZone : p.quiet_timezone;
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const minute = Number(parts.find((x) => x.type === 'hour')!.value) * 60 + Number(parts.find((x) => x.type === 'minute')!.value);
  const { quiet_start_minute: start, quiet_end_minute: end } = p;
  const quiet = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!quiet) return null;
  const wait = (end - minute + 1440) % 1440;
  const at = new Date(now.getTime() + wait * 60_000);
  at.setUTCSeconds(0, 0);
  return at;
}
