import type { Timestamp } from './column-types.ts';

// Touchpoints (migration 0015): one row per page view and touch track event, kept by the
// events feature in step with its event (insert, merge, anonymization, deletion).
export interface TouchpointsTable {
  workspace_id: string;
  message_id: string;
  contact_id: string | null;
  occurred_at: Timestamp;
  kind: 'page' | 'email_click' | 'form' | 'ad_click' | 'webinar' | 'offline';
  visit: 'tagged' | 'external' | 'direct' | 'internal' | null;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  content: string | null;
  term: string | null;
}

export interface TouchpointBackfillsTable {
  workspace_id: string;
  after_message_id: string | null;
}
