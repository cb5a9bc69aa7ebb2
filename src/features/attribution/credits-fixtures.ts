import type { ChannelCredits } from './credits.ts';

/** Credits as { channel: [conversions, value] }, for readable test expectations. */
export function creditsByChannel(credits: ChannelCredits): Record<string, [number, number]> {
  return Object.fromEntries(credits.channels.map((c, i) => [c, [credits.conversions[i]!, credits.value[i]!]]));
}
