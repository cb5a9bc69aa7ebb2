/** How long a cached setting may be served before it is read again (other processes' changes show within it). */
export const SETTINGS_TTL_MS = 2_000;

interface Entry<T> {
  at: number;
  generation: number;
  value: Promise<T>;
}

/**
 * A short-lived per-workspace cache of settings read on every send (policies, topics,
 * template pointers). Entries live `ttlMs` and are dropped at once by `invalidate` in this
 * process; another process sees a change within `ttlMs`. One cache per database handle,
 * and nothing is cached inside a transaction (it may write, read its own writes, or roll
 * back), so a cached value always came from committed data of that database.
 */
export class WorkspaceCache<T> {
  private readonly byDb = new WeakMap<object, Map<string, Entry<T>>>();
  private readonly generations = new Map<string, number>();

  constructor(private readonly ttlMs: number = SETTINGS_TTL_MS, private readonly clock: () => number = Date.now, private readonly maxPerDb = 1_000) {}

  async get(db: { readonly isTransaction: boolean }, key: string, load: () => Promise<T>): Promise<T> {
    if (db.isTransaction) return load();
    let map = this.byDb.get(db);
    if (!map) this.byDb.set(db, (map = new Map()));
    const now = this.clock();
    const generation = this.generations.get(workspaceOf(key)) ?? 0;
    const hit = map.get(key);
    if (hit && hit.generation === generation && now - hit.at < this.ttlMs) return hit.value;
    const value = load();
    if (map.size >= this.maxPerDb) map.clear();
    const entry = { at: now, generation, value };
    map.set(key, entry);
    // A failed read is not remembered: the next caller reads again.
    value.catch(() => {
      if (map.get(key) === entry) map.delete(key);
    });
    return value;
  }

  /** Drops every entry of the workspace in this process (call it after a change). */
  invalidate(workspaceId: string): void {
    this.generations.set(workspaceId, (this.generations.get(workspaceId) ?? 0) + 1);
  }
}

/** Keys are "workspaceId" or "workspaceId:rest". */
const workspaceOf = (key: string) => {
  const at = key.indexOf(':');
  return at === -1 ? key : key.slice(0, at);
};
