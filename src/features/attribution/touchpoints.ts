import { touchCandidateOf, type TouchCandidate, type TouchEventRow } from '../events/index.ts';
import type { ChannelGrouping } from './channel-rules.ts';
import type { TouchKind } from './channel-rules.ts';

export { TOUCH_EVENTS } from '../events/index.ts';

/** One marketing touch of a contact, with its channel grouping. */
export interface Touchpoint {
  contactId: string;
  time: number;
  kind: TouchKind;
  channel: string;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  content: string | null;
  term: string | null;
  /** The contact's first form fill: the lead-creation touch of the milestone models. */
  leadCreation: boolean;
}

/** An event's candidate at its time in ms, or a stored `touchpoints` row as read (`start`: a page view the read already found to start a visit). */
export type TimedCandidate = Omit<TouchCandidate, 'visit'> & { time: number; visit: TouchCandidate['visit'] | 'start' };

const SESSION_MS = 30 * 60_000;

type Draft = Omit<Touchpoint, 'channel' | 'leadCreation' | 'contactId'> & { leadCreation: boolean };

/**
 * Touchpoints of one contact's events (time order): the events' candidates (see
 * `touchCandidateOf`) through `touchpointsOfCandidates`. Used on raw events; workspace
 * attribution reads the stored candidates of the `touchpoints` table instead.
 */
export function deriveTouchpoints(contactId: string, events: readonly TouchEventRow[], grouping: ChannelGrouping): Touchpoint[] {
  const candidates: TimedCandidate[] = [];
  for (const e of events) {
    const c = touchCandidateOf(e);
    if (c) candidates.push({ ...c, time: new Date(e.timestamp).getTime() });
  }
  return touchpointsOfCandidates(contactId, candidates, grouping);
}

/**
 * Touchpoints of one contact's candidates (time order). A page view is a touch when it starts
 * a visit: it carries UTM tags, comes from another site, or (no referrer) follows 30 minutes
 * without a page view. Email clicks, form fills, ad clicks, webinar attendance and offline
 * touches are touches; a form fill takes the source of the visit it happened in. The same
 * channel/source/medium/campaign/content again within 30 minutes is one touch (an email
 * click and the tagged page view it opens), keeping the earlier time and any lead flag.
 * Channels come from `grouping` here, at read time, so a change of rules applies to the
 * next run without rewriting stored rows; `classifyCached` classifies each distinct
 * (kind, source, medium, campaign) once.
 */
export function touchpointsOfCandidates(contactId: string, candidates: readonly TimedCandidate[], grouping: ChannelGrouping, classify: (d: Draft) => string = (d) => grouping.classify(d)): Touchpoint[] {
  const touches: Touchpoint[] = [];
  let lastPageMs = -Infinity;
  let visit: Draft | null = null;
  let leadSeen = false;
  for (const c of candidates) {
    const time = c.time;
    let draft: Draft | null = null;
    if (c.kind === 'page') {
      if (c.visit === 'tagged' || c.visit === 'external' || c.visit === 'start' || (c.visit === 'direct' && time - lastPageMs >= SESSION_MS)) {
        draft = { time, kind: 'page', source: c.source, medium: c.medium, campaign: c.campaign, content: c.content, term: c.term, leadCreation: false };
      }
      lastPageMs = time;
      if (draft) visit = draft;
    } else {
      const inVisit = c.kind === 'form' && visit && time - visit.time < SESSION_MS ? visit : null;
      draft = inVisit
        ? { time, kind: c.kind, source: inVisit.source, medium: inVisit.medium, campaign: inVisit.campaign, content: inVisit.content, term: inVisit.term, leadCreation: false }
        : { time, kind: c.kind, source: c.source, medium: c.medium, campaign: c.campaign, content: c.content, term: c.term, leadCreation: false };
      if (draft.kind === 'form' && !leadSeen) {
        draft.leadCreation = true;
        leadSeen = true;
      }
    }
    if (!draft) continue;
    draft.source = grouping.normalizeSource(draft.source);
    draft.medium = grouping.normalizeMedium(draft.medium);
    const channel = classify(draft);
    const previous = touches[touches.length - 1];
    if (previous && sameTouch(previous, channel, draft) && draft.time - previous.time < SESSION_MS) {
      previous.leadCreation ||= draft.leadCreation;
      continue;
    }
    touches.push({ contactId, time: draft.time, kind: draft.kind, channel, source: draft.source, medium: draft.medium, campaign: draft.campaign, content: draft.content, term: draft.term, leadCreation: draft.leadCreation });
  }
  return touches;
}

/**
 * `grouping.classify` remembered per distinct (kind, source, medium, campaign): the rules
 * run once per combination, and the unmapped counts still count every touch.
 */
export function cachedClassifier(grouping: ChannelGrouping): (d: { kind: TouchKind; source: string | null; medium: string | null; campaign: string | null }) => string {
  const known = new Map<string, string | null>();
  return (d) => {
    const key = `${d.kind}\u0000${d.source ?? '\u0001'}\u0000${d.medium ?? '\u0001'}\u0000${d.campaign ?? '\u0001'}`;
    let channel = known.get(key);
    if (channel === undefined) known.set(key, (channel = grouping.matchRule(d)));
    return channel ?? grouping.fallbackFor(d);
  };
}

function sameTouch(t: Touchpoint, channel: string, d: Draft): boolean {
  return t.channel === channel && t.source === d.source && t.medium === d.medium && t.campaign === d.campaign && t.content === d.content;
}
