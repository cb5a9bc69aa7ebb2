import type { ScoredPair } from './match-records.ts';

/**
 * The scored pairs to merge without review at this threshold: fields that agree enough
 * (ScoredPair.autoMergeable), the strict probability (prior of all pairs) at the threshold,
 * and no doubt about whose duplicate a record is.
 */
export function selectAutoMergePairs(pairs: readonly ScoredPair[], threshold: number): ScoredPair[] {
  return unambiguousPairs(pairs.filter((p) => p.autoMergeable && p.mergeProbability >= threshold));
}

/**
 * The auto-merge pairs that leave no doubt which record is whose duplicate: a record whose
 * auto-merge partners are not all auto-merge pairs of each other (one anonymous "W. Zhang"
 * beside two Wei Zhangs) would chain two people into one, so all its pairs wait for review.
 */
function unambiguousPairs(pairs: ScoredPair[]): ScoredPair[] {
  const partners = new Map<number, Set<number>>();
  const link = (x: number, y: number) => partners.set(x, (partners.get(x) ?? new Set()).add(y));
  for (const p of pairs) {
    link(p.a, p.b);
    link(p.b, p.a);
  }
  const isClique = (x: number) => {
    const around = [...partners.get(x)!];
    return around.every((y, k) => around.slice(k + 1).every((z) => partners.get(y)!.has(z)));
  };
  return pairs.filter((p) => isClique(p.a) && isClique(p.b));
}
