// Generates a ChannelAttribution path table of distinct paths for the attribution bench.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createSeededStream } from '../src/features/attribution/seeded-stream.ts';

const CHANNEL_NAMES = ['paid_search', 'paid_social', 'organic_search', 'organic_social', 'email', 'referral', 'direct', 'display', 'events', 'partner', 'webinar', 'affiliate', 'podcast', 'sms', 'video', 'print'];

/** Writes `paths` distinct paths over `channels` channels (lengths 1-12, mostly short). */
export async function writePathCsv(file: string, paths: number, channels: number, seed = 7): Promise<void> {
  const random = createSeededStream(seed);
  const names = CHANNEL_NAMES.slice(0, channels);
  const seen = new Set<string>();
  const out = createWriteStream(file);
  let buffer = 'path,total_conversions,total_conversion_value,total_null\n';
  while (seen.size < paths) {
    // Geometric lengths (mean ~5) so that 1M distinct paths exist over 10 channels.
    let length = 1;
    while (length < 12 && random() < 0.8) length++;
    const parts: string[] = [];
    for (let i = 0; i < length; i++) parts.push(names[Math.floor(Math.pow(random(), 1.3) * channels)]!);
    const path = parts.join(' > ');
    if (seen.has(path)) continue;
    seen.add(path);
    const conversions = random() < 0.3 ? 1 + Math.floor(random() * 3) : 0;
    const nulls = Math.floor(random() * 20) + (conversions === 0 ? 1 : 0);
    const value = conversions * Math.round(50 + random() * 950);
    buffer += `${path},${conversions},${value},${nulls}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}
