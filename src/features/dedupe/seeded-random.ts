/** A small seeded PRNG (mulberry32) for the test-data generators: same seed, same data. */
export function createSeededRandom(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    weighted: <T>(table: ReadonlyArray<readonly [T, number]>): T => {
      let roll = next() * table.reduce((s, [, w]) => s + w, 0);
      for (const [value, weight] of table) {
        roll -= weight;
        if (roll < 0) return value;
      }
      return table[table.length - 1]![0];
    },
  };
}
export type SeededRandom = ReturnType<typeof createSeededRandom>;
