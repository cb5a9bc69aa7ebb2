/** Credit given to each channel of a path table by one model. */
export interface ChannelCredits {
  model: string;
  channels: string[];
  conversions: Float64Array;
  value: Float64Array;
  /** Markov only: 1 - P(conv without the channel) / P(conv), per channel. */
  removalEffect?: Float64Array;
  /** Conversions/value no touch could take (every touch outside the lookback window). */
  unattributed: { conversions: number; value: number };
  /** Model-specific facts: solver, iterations, residual, sampling error bound... */
  notes: Record<string, number | string>;
}

export function emptyCredits(model: string, channels: string[]): ChannelCredits {
  return { model, channels, conversions: new Float64Array(channels.length), value: new Float64Array(channels.length), unattributed: { conversions: 0, value: 0 }, notes: {} };
}
