import type { Condition } from './conditions.ts';

/**
 * What changed about a contact or account, as the queue records it, and what each rule
 * reads: a pass evaluates a rule only for the entities whose changes it reads. Changes
 * and reads share one vocabulary:
 *
 * - `event:<name>`: an event of that name arrived (or moved to this contact)
 * - `field:<name>`: a core field (first_seen_at, last_seen_at...)
 * - `trait`: a custom trait; `account`: something of the contact's account;
 *   `link`: the contact's account links; `consent`; `opportunity`
 * - `score:<model>`, `stage`, `segment:<name>`: what a pass derives, added as it goes
 *
 * `ALL` (unknown changes: a new or merged contact, an import, an account change) makes
 * every rule due. Reads err towards more: a rule is due whenever it might change.
 */
export const ALL = 'all' as const;
export type ChangeSet = ReadonlySet<string> | typeof ALL;

export const eventChange = (name: string) => `event:${name}`;
export const scoreChange = (model: string) => `score:${model}`;
export const segmentChange = (name: string) => `segment:${name}`;

/** What a condition reads, for the subject it tests. */
export function readsOf(node: Condition | undefined, out = new Set<string>()): Set<string> {
  if (!node) return out;
  for (const child of [...(node.all ?? []), ...(node.any ?? []), ...(node.not ? [node.not] : [])]) readsOf(child, out);
  if (node.field) out.add(`field:${node.field.name}`);
  if (node.trait) out.add('trait');
  if (node.event) out.add(eventChange(node.event.name));
  // What a contact reads of its account (fields, scores, its other contacts) arrives as
  // `account`: the pass adds it to the contacts an account change reaches.
  if (node.account) out.add('account');
  // An account reads its contacts' data: an account's changes include its contacts'.
  if (node.contacts) readsOf(node.contacts.where, out.add('link'));
  if (node.score) out.add(scoreChange(node.score.model));
  if (node.stage) out.add('stage');
  if (node.segment) out.add(segmentChange(node.segment.name));
  if (node.consent) out.add('consent');
  if (node.opportunity) out.add('opportunity');
  return out;
}

/** Merges change lists (`null` for unknown changes) into one set. */
export function mergeChanges(lists: ReadonlyArray<readonly string[] | null>): ChangeSet {
  const out = new Set<string>();
  for (const list of lists) {
    if (list === null) return ALL;
    for (const c of list) out.add(c);
  }
  return out;
}

/**
 * The changes of the entities of one derivation pass, growing as the pass derives
 * (scores, stages, memberships), and the entities a rule is due for.
 */
export class PassChanges {
  private readonly sets = new Map<string, Set<string> | typeof ALL>();

  constructor(initial: Iterable<[string, ChangeSet]> = []) {
    for (const [id, changes] of initial) this.merge(id, changes);
  }

  merge(id: string, changes: ChangeSet): void {
    const current = this.sets.get(id);
    if (current === ALL) return;
    if (changes === ALL) return void this.sets.set(id, ALL);
    if (!current) return void this.sets.set(id, new Set(changes));
    for (const c of changes) current.add(c);
  }

  add(ids: Iterable<string>, change: string): void {
    for (const id of ids) this.merge(id, new Set([change]));
  }

  of(id: string): ChangeSet {
    return this.sets.get(id) ?? new Set();
  }

  /** The ids among `ids` whose changes a rule reading `reads` must see. */
  due(ids: readonly string[], reads: ReadonlySet<string>): string[] {
    return ids.filter((id) => {
      const changes = this.sets.get(id);
      if (changes === undefined) return false;
      if (changes === ALL) return true;
      for (const r of reads) if (changes.has(r)) return true;
      return false;
    });
  }
}

/**
 * The entities of one incremental pass and what changed about each. An account's changes
 * include those of its contacts in the pass (what `contacts:` conditions and account
 * scores read); a step reports what it may have changed, so later steps see it.
 */
export class PassScope {
  constructor(
    readonly contacts: readonly string[],
    readonly accounts: readonly string[],
    private readonly contactChanges: PassChanges,
    private readonly accountChanges: PassChanges,
    /** The account links of the contacts in the pass. */
    readonly links: ReadonlyArray<{ contactId: string; accountId: string }>,
  ) {}

  contactsDue(reads: ReadonlySet<string>): string[] {
    return this.contactChanges.due(this.contacts, reads);
  }

  accountsDue(reads: ReadonlySet<string>): string[] {
    for (const l of this.links) this.accountChanges.merge(l.accountId, this.contactChanges.of(l.contactId));
    return this.accountChanges.due(this.accounts, reads);
  }

  contactsChanged(ids: Iterable<string>, change: string): void {
    this.contactChanges.add(ids, change);
  }

  accountsChanged(ids: Iterable<string>, change: string): void {
    this.accountChanges.add(ids, change);
  }
}
