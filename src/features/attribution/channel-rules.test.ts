import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelRulesJsonSchema, ChannelGrouping, DEFAULT_CHANNEL_RULES, normalizeUtmValue, parseChannelRulesYaml } from './channel-rules.ts';

const classify = (g: ChannelGrouping, source: string | null, medium: string | null, kind: 'page' | 'email_click' | 'webinar' = 'page') =>
  g.classify({ kind, source: g.normalizeSource(source), medium: g.normalizeMedium(medium), campaign: null });

describe('channel grouping', () => {
  it('groups the usual source/medium pairs with the default rules, after normalisation and aliases', () => {
    const g = new ChannelGrouping();
    expect(classify(g, ' Google ', 'CPC')).toBe('paid_search');
    expect(classify(g, 'adwords', 'PPC')).toBe('paid_search');
    expect(classify(g, 'LinkedIn', 'Paid Social')).toBe('paid_social');
    expect(classify(g, 'fb', 'cpc')).toBe('paid_social');
    expect(classify(g, 'newsletter', 'E-Mail')).toBe('email');
    expect(classify(g, 'zoom', 'webinar')).toBe('events');
    expect(classify(g, 'mops-summit', 'event')).toBe('events');
    expect(classify(g, 'google', 'organic')).toBe('organic_search');
    expect(classify(g, 'reddit.com', 'social')).toBe('organic_social');
    expect(classify(g, 'g2', 'referral')).toBe('referral');
    expect(classify(g, 'partner-directory', 'referral')).toBe('partner');
    expect(classify(g, 'dsp', 'CPM')).toBe('display');
    expect(classify(g, '(direct)', '(none)')).toBe('direct');
    expect(classify(g, 'acme', 'carrier-pigeon')).toBe('other');
    expect([...g.unmapped]).toEqual([['acme / carrier-pigeon', 1]]);
  });

  it('normalises case and whitespace', () => {
    expect(normalizeUtmValue('  Paid   Social ')).toBe('paid_social');
    expect(normalizeUtmValue('   ')).toBeNull();
  });

  it('reads ordered rules from YAML: the first match wins, rule values are normalised too', () => {
    const config = parseChannelRulesYaml(
      ['version: 1', 'aliases:', '  medium: { pigeon: carrier }', 'rules:', '  - channel: partner', '    source: [Acme Co]', '  - channel: pigeon_post', '    medium: [carrier]', 'fallback: unknown', 'conversions:', '  - event: Signed Up', '    value_property: plan_value'].join('\n'),
    );
    const g = new ChannelGrouping(config);
    expect(classify(g, 'acme co', 'carrier')).toBe('partner');
    expect(classify(g, 'x', 'pigeon')).toBe('pigeon_post');
    expect(classify(g, 'x', 'y')).toBe('unknown');
    expect(config.conversions).toEqual([{ event: 'Signed Up', value_property: 'plan_value' }]);
  });

  it.each([
    ['version: 1\nrules: [ {channel: x', /malformed YAML/],
    ['version: 2\nrules: [{ channel: x }]', /version/],
    ['version: 1\nrules: [{ channel: x, colour: red }]', /rules\.0: .*colour/],
    ['version: 1\nrules: [{ channel: x, medium_matches: "(" }]', /rules\.0\.medium_matches: not a valid regular expression/],
    ['version: 1\nrules: [{ channel: x, touch: [carrier] }]', /rules\.0\.touch\.0/],
  ])('refuses bad settings, naming the field: %s', (yaml, message) => {
    expect(() => parseChannelRulesYaml(yaml)).toThrow(message);
  });

  it('keeps schemas/attribution.schema.json in step with the zod schema (regenerate: see docs/attribution.md)', () => {
    const committed = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'attribution.schema.json'), 'utf8'));
    expect(committed).toEqual(channelRulesJsonSchema());
    expect(parseChannelRulesYaml(JSON.stringify(DEFAULT_CHANNEL_RULES))).toEqual(DEFAULT_CHANNEL_RULES);
  });
});
