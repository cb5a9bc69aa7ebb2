import { AppError } from '../../platform/errors.ts';

/** Touch milestone flags (bit mask per touch) for the milestone models. */
export const LEAD_CREATION = 1;
export const OPPORTUNITY_CREATION = 2;
export const CLOSED_WON = 4;

/**
 * Distinct journeys in columnar form: the touches of path i are
 * `touches[offsets[i] .. offsets[i + 1])` (channel ids into `channels`).
 * `touchTimes`/`conversionTimes` (epoch ms) and `milestones` exist only for journeys built
 * from a workspace's touchpoints; a ChannelAttribution path table has none of them.
 */
export interface PathTable {
  channels: string[];
  pathCount: number;
  offsets: Uint32Array;
  touches: Uint16Array;
  conversions: Float64Array;
  values: Float64Array;
  nulls: Float64Array;
  touchTimes?: Float64Array;
  conversionTimes?: Float64Array;
  milestones?: Uint8Array;
}

export interface JourneyInput {
  channels: readonly string[];
  conversions: number;
  value: number;
  nulls: number;
  touchTimes?: readonly number[];
  conversionTime?: number;
  milestones?: readonly number[];
}

const MAX_CHANNELS = 65_535;

/** Grows typed arrays while paths are appended (CSV stream or journeys). */
export class PathTableBuilder {
  private readonly channelIds = new Map<string, number>();
  readonly channels: string[] = [];
  private pathCount = 0;
  private touchCount = 0;
  private offsets = new Uint32Array(1024);
  private touches = new Uint16Array(4096);
  private conversions = new Float64Array(1024);
  private values = new Float64Array(1024);
  private nulls = new Float64Array(1024);
  private touchTimes: Float64Array | undefined;
  private conversionTimes: Float64Array | undefined;
  private milestones: Uint8Array | undefined;

  constructor(private readonly detailed = false) {
    if (detailed) {
      this.touchTimes = new Float64Array(4096);
      this.conversionTimes = new Float64Array(1024);
      this.milestones = new Uint8Array(4096);
    }
  }

  /** The id of a channel name, interned on first sight. */
  internChannel(name: string): number {
    let id = this.channelIds.get(name);
    if (id === undefined) {
      if (this.channels.length >= MAX_CHANNELS) throw new AppError('invalid', `more than ${MAX_CHANNELS} distinct channels (at "${name}")`);
      id = this.channels.length;
      this.channelIds.set(name, id);
      this.channels.push(name);
    }
    return id;
  }

  /** Appends one touch of the path being built; call `endPath` after its last touch. */
  pushTouch(channelId: number, time = 0, milestone = 0): void {
    if (this.touchCount === this.touches.length) this.growTouches();
    this.touches[this.touchCount] = channelId;
    if (this.touchTimes) this.touchTimes[this.touchCount] = time;
    if (this.milestones) this.milestones[this.touchCount] = milestone;
    this.touchCount++;
  }

  endPath(conversions: number, value: number, nulls: number, conversionTime = 0): void {
    if (this.pathCount + 1 >= this.offsets.length) this.growPaths();
    this.conversions[this.pathCount] = conversions;
    this.values[this.pathCount] = value;
    this.nulls[this.pathCount] = nulls;
    if (this.conversionTimes) this.conversionTimes[this.pathCount] = conversionTime;
    this.pathCount++;
    this.offsets[this.pathCount] = this.touchCount;
  }

  addJourney(journey: JourneyInput): void {
    journey.channels.forEach((name, i) => this.pushTouch(this.internChannel(name), journey.touchTimes?.[i] ?? 0, journey.milestones?.[i] ?? 0));
    this.endPath(journey.conversions, journey.value, journey.nulls, journey.conversionTime ?? 0);
  }

  build(): PathTable {
    const n = this.pathCount;
    const t = this.touchCount;
    return {
      channels: this.channels,
      pathCount: n,
      offsets: this.offsets.slice(0, n + 1),
      touches: this.touches.slice(0, t),
      conversions: this.conversions.slice(0, n),
      values: this.values.slice(0, n),
      nulls: this.nulls.slice(0, n),
      ...(this.detailed ? { touchTimes: this.touchTimes!.slice(0, t), conversionTimes: this.conversionTimes!.slice(0, n), milestones: this.milestones!.slice(0, t) } : {}),
    };
  }

  private growTouches(): void {
    const size = this.touches.length * 2;
    this.touches = grow(this.touches, new Uint16Array(size));
    if (this.touchTimes) this.touchTimes = grow(this.touchTimes, new Float64Array(size));
    if (this.milestones) this.milestones = grow(this.milestones, new Uint8Array(size));
  }

  private growPaths(): void {
    const size = this.offsets.length * 2;
    this.offsets = grow(this.offsets, new Uint32Array(size));
    this.conversions = grow(this.conversions, new Float64Array(size));
    this.values = grow(this.values, new Float64Array(size));
    this.nulls = grow(this.nulls, new Float64Array(size));
    if (this.conversionTimes) this.conversionTimes = grow(this.conversionTimes, new Float64Array(size));
  }
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** A path table from journeys given as objects (tests, the workspace builder). */
export function buildPathTable(journeys: readonly JourneyInput[], options: { detailed?: boolean } = {}): PathTable {
  const detailed = options.detailed ?? journeys.some((j) => j.touchTimes !== undefined || j.milestones !== undefined);
  const builder = new PathTableBuilder(detailed);
  for (const journey of journeys) builder.addJourney(journey);
  return builder.build();
}

export function sumOf(values: Float64Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}
