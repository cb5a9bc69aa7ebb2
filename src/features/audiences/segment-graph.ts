import { AppError } from '../../platform/errors.ts';

/** Segments ordered so that each comes after the segments its rules read. */
export function orderByDependencies<T extends { name: string; depends_on: string[] }>(segments: T[]): T[] {
  const byName = new Map(segments.map((s) => [s.name, s]));
  const done = new Set<string>();
  const ordered: T[] = [];
  const visit = (s: T, trail: string[]) => {
    if (done.has(s.name)) return;
    if (trail.includes(s.name)) throw new AppError('invalid', `segments depend on each other in a cycle: ${[...trail, s.name].join(' -> ')}`);
    for (const dep of s.depends_on) {
      const target = byName.get(dep);
      if (target) visit(target, [...trail, s.name]);
    }
    done.add(s.name);
    ordered.push(s);
  };
  for (const s of segments) visit(s, []);
  return ordered;
}

/** The names of segments that read `name`, directly or through others. */
export function dependentsOf(segments: Array<{ name: string; depends_on: string[] }>, name: string): Set<string> {
  const out = new Set<string>();
  let frontier = [name];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const s of segments) {
      if (!out.has(s.name) && s.depends_on.some((d) => frontier.includes(d))) {
        out.add(s.name);
        next.push(s.name);
      }
    }
    frontier = next;
  }
  return out;
}

/**
 * Groups segments (already in dependency order) into levels: a segment's level is one
 * more than the highest level among the segments it reads, so each level only reads
 * segments of earlier levels (or segments outside the list).
 */
export function dependencyLevels<T extends { name: string; depends_on: string[] }>(ordered: T[]): T[][] {
  const levelOf = new Map<string, number>();
  const levels: T[][] = [];
  for (const s of ordered) {
    const level = Math.max(-1, ...s.depends_on.map((d) => levelOf.get(d) ?? -1)) + 1;
    levelOf.set(s.name, level);
    (levels[level] ??= []).push(s);
  }
  return levels;
}
