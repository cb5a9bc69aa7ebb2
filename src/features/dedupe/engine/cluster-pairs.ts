/** Union-find over record indexes: the entities that accepted pairs imply (transitive closure). */
export function clusterPairs(size: number, pairs: ReadonlyArray<{ a: number; b: number }>): Int32Array {
  const parent = new Int32Array(size);
  for (let i = 0; i < size; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (const { a, b } of pairs) {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const roots = new Int32Array(size);
  for (let i = 0; i < size; i++) roots[i] = find(i);
  return roots;
}
