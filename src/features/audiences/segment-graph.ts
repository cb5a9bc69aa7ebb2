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
