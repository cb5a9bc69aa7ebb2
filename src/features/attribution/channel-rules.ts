import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../../platform/errors.ts';
import { normalizeUtmValue } from '../events/index.ts';

/** Kinds of touch Keel derives from events (and offline touches imported as events). */
export const TOUCH_KINDS = ['page', 'email_click', 'form', 'ad_click', 'webinar', 'offline'] as const;
export type TouchKind = (typeof TOUCH_KINDS)[number];

const values = z.array(z.string().min(1).max(200)).min(1).max(500);
const pattern = z
  .string()
  .min(1)
  .max(500)
  .refine((p) => isRegex(p), { message: 'not a valid regular expression' });

const RuleSchema = z
  .object({
    channel: z.string().min(1).max(100),
    source: values.optional(),
    medium: values.optional(),
    campaign: values.optional(),
    touch: z.array(z.enum(TOUCH_KINDS)).min(1).optional(),
    source_matches: pattern.optional(),
    medium_matches: pattern.optional(),
    campaign_matches: pattern.optional(),
  })
  .strict()
  .describe('First rule whose conditions all hold gives the channel; lists match normalised values exactly, *_matches are regular expressions.');

const DEFAULT_CONVERSIONS: Array<{ event: string } | { stage: string }> = [{ event: 'Demo Requested' }, { event: 'Trial Started' }];

/** The attribution configuration (YAML): channel grouping and conversions. */
export const ChannelRulesSchema = z
  .object({
    version: z.literal(1),
    aliases: z
      .object({ source: z.record(z.string(), z.string()).optional(), medium: z.record(z.string(), z.string()).optional() })
      .strict()
      .optional()
      .describe('Known spellings mapped to one value after case and whitespace normalisation, e.g. fb: facebook'),
    rules: z.array(RuleSchema).min(1).max(200),
    fallback: z.string().min(1).max(100).default('other'),
    conversions: z
      .array(
        z.union([
          z.object({ event: z.string().min(1).max(200), value_property: z.string().min(1).max(200).optional() }).strict(),
          z
            .object({ stage: z.string().min(1).max(60).regex(/^[a-z][a-z0-9_]*$/), value: z.number().finite().min(0).optional() })
            .strict()
            .describe('A lifecycle stage reached (entered, or passed by a move to a later stage) counts as a conversion worth value (default 0)'),
        ]),
      )
      .max(100)
      .default(DEFAULT_CONVERSIONS)
      .describe('Track events, or lifecycle stages reached, that count as conversions; value_property names the event property holding their value'),
  })
  .strict()
  .describe('Keel attribution settings: channel grouping rules and declared conversions');

export type ChannelRulesConfig = z.infer<typeof ChannelRulesSchema>;
type Rule = z.infer<typeof RuleSchema>;
export type ConversionDeclaration = ChannelRulesConfig['conversions'][number];
export type EventConversionDeclaration = Extract<ConversionDeclaration, { event: string }>;
export type StageConversionDeclaration = Extract<ConversionDeclaration, { stage: string }>;

function isRegex(p: string): boolean {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}

const SOCIAL = ['linkedin', 'facebook', 'instagram', 'twitter', 'x', 't.co', 'reddit', 'youtube', 'tiktok', 'pinterest'];

/** The default grouping, in the spirit of the common default channel groupings. */
export const DEFAULT_CHANNEL_RULES: ChannelRulesConfig = {
  version: 1,
  aliases: {
    source: { fb: 'facebook', 'facebook.com': 'facebook', 'l.facebook.com': 'facebook', 'lnkd.in': 'linkedin', 'linkedin.com': 'linkedin', adwords: 'google', 'google_ads': 'google', 'twitter.com': 'twitter' },
    medium: { ppc: 'cpc', paidsearch: 'cpc', paid_search: 'cpc', sem: 'cpc', 'e-mail': 'email', e_mail: 'email', newsletter: 'email', paidsocial: 'paid_social', social_paid: 'paid_social', 'social-paid': 'paid_social', events: 'event', conference: 'event', tradeshow: 'event', cpm: 'display', banner: 'display', affiliate: 'partner' },
  },
  rules: [
    { channel: 'direct', source: ['(direct)'] },
    { channel: 'paid_social', medium: ['paid_social'] },
    { channel: 'paid_social', source: SOCIAL, medium_matches: '^(cpc|cpv|cpa|paid.*)$' },
    { channel: 'paid_search', medium: ['cpc'] },
    { channel: 'display', medium: ['display', 'programmatic'] },
    { channel: 'email', medium: ['email'] },
    { channel: 'email', touch: ['email_click'] },
    { channel: 'events', medium: ['event', 'webinar', 'field', 'offline_event'] },
    { channel: 'events', touch: ['webinar'] },
    { channel: 'partner', medium: ['partner'] },
    { channel: 'partner', source_matches: 'partner' },
    { channel: 'organic_search', medium: ['organic'] },
    { channel: 'organic_social', medium: ['social', 'organic_social', 'social_network', 'sm'] },
    { channel: 'organic_social', source: SOCIAL },
    { channel: 'referral', medium: ['referral'] },
  ],
  fallback: 'other',
  conversions: DEFAULT_CONVERSIONS,
};

/** Parses and validates channel rules YAML; errors name the path and the value. */
export function parseChannelRulesYaml(text: string, label = 'channel rules'): ChannelRulesConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new AppError('invalid', `${label}: malformed YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = ChannelRulesSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new AppError('invalid', `${label}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { path: issue.path.join('.') });
  }
  return result.data;
}

/** The JSON Schema of the channel rules YAML (published in schemas/ and by the API). */
export function channelRulesJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ChannelRulesSchema, { io: 'input' }) as Record<string, unknown>;
}

/** Case, surrounding and inner whitespace: " Paid  Social " -> "paid_social" (the same function the touchpoints table is written with). */
export { normalizeUtmValue };

export interface TouchFields {
  kind: TouchKind;
  source: string | null;
  medium: string | null;
  campaign: string | null;
}

/** A compiled grouping: normalises source/medium through the aliases, then first rule wins. */
export class ChannelGrouping {
  private readonly rules: Array<{ rule: Rule; re: Record<string, RegExp | undefined> }>;
  readonly unmapped = new Map<string, number>();

  constructor(readonly config: ChannelRulesConfig = DEFAULT_CHANNEL_RULES) {
    // Rule values are normalised like the touches they are compared with.
    const norm = (list: string[] | undefined) => list?.map((v) => normalizeUtmValue(v) ?? v);
    this.rules = config.rules.map((raw) => ({
      rule: { ...raw, source: norm(raw.source), medium: norm(raw.medium), campaign: norm(raw.campaign) },
      re: {
        source: raw.source_matches ? new RegExp(raw.source_matches, 'i') : undefined,
        medium: raw.medium_matches ? new RegExp(raw.medium_matches, 'i') : undefined,
        campaign: raw.campaign_matches ? new RegExp(raw.campaign_matches, 'i') : undefined,
      },
    }));
  }

  normalizeSource(value: string | null): string | null {
    const v = normalizeUtmValue(value);
    return v === null ? null : (this.config.aliases?.source?.[v] ?? v);
  }

  normalizeMedium(value: string | null): string | null {
    const v = normalizeUtmValue(value);
    return v === null ? null : (this.config.aliases?.medium?.[v] ?? v);
  }

  /** The channel of a touch whose source and medium are already normalised. */
  classify(touch: TouchFields): string {
    return this.matchRule(touch) ?? this.fallbackFor(touch);
  }

  /** The channel of the first rule that matches, or null (then `fallbackFor` counts it as unmapped). */
  matchRule(touch: TouchFields): string | null {
    for (const { rule, re } of this.rules) if (matches(rule, re, touch)) return rule.channel;
    return null;
  }

  /** The fallback channel, counting the touch's source / medium as unmapped. */
  fallbackFor(touch: TouchFields): string {
    const key = `${touch.source ?? '(none)'} / ${touch.medium ?? '(none)'}`;
    this.unmapped.set(key, (this.unmapped.get(key) ?? 0) + 1);
    return this.config.fallback;
  }
}

function matches(rule: Rule, re: Record<string, RegExp | undefined>, t: TouchFields): boolean {
  if (rule.touch && !rule.touch.includes(t.kind)) return false;
  if (rule.source && (t.source === null || !rule.source.includes(t.source))) return false;
  if (rule.medium && (t.medium === null || !rule.medium.includes(t.medium))) return false;
  if (rule.campaign && (t.campaign === null || !rule.campaign.includes(t.campaign))) return false;
  if (re.source && (t.source === null || !re.source.test(t.source))) return false;
  if (re.medium && (t.medium === null || !re.medium.test(t.medium))) return false;
  if (re.campaign && (t.campaign === null || !re.campaign.test(t.campaign))) return false;
  return true;
}
