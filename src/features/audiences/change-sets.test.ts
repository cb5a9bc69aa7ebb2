import { describe, expect, it } from 'vitest';
import { ALL, mergeChanges, PassChanges, PassScope, readsOf } from './change-sets.ts';

describe('what rules read', () => {
  it('names every kind of condition, through all, any and not', () => {
    const reads = readsOf({
      all: [
        { field: { name: 'last_seen_at', op: 'within_last_days', value: 30 } },
        { any: [{ trait: { name: 'seniority', op: 'eq', value: 'VP' } }, { event: { name: 'Webinar Attended', at_least: 2 } }] },
        { not: { score: { model: 'main', op: 'gte', value: 50 } } },
        { stage: { op: 'eq', value: 'mql' } },
        { segment: { name: 'seniors' } },
        { consent: { topic: 'news' } },
      ],
    });
    expect([...reads].sort()).toEqual(['consent', 'event:Webinar Attended', 'field:last_seen_at', 'score:main', 'segment:seniors', 'stage', 'trait']);
  });

  it("reads `account` for anything of a contact's account, and an account's contacts' data with their links", () => {
    expect([...readsOf({ account: { field: { name: 'employees', op: 'gte', value: 1000 } } })]).toEqual(['account']);
    expect([...readsOf({ contacts: { where: { event: { name: 'Demo' } }, at_least: 2 } })].sort()).toEqual(['event:Demo', 'link']);
    expect([...readsOf({ opportunity: { status: 'open' } })]).toEqual(['opportunity']);
  });
});

describe('changes of a pass', () => {
  it('merges queued changes; one unknown change makes every rule due', () => {
    expect(mergeChanges([['event:A'], ['event:B', 'event:A']])).toEqual(new Set(['event:A', 'event:B']));
    expect(mergeChanges([['event:A'], null])).toBe(ALL);
  });

  it('makes a rule due for the ids whose changes it reads', () => {
    const changes = new PassChanges([
      ['c1', new Set(['event:Webinar'])],
      ['c2', new Set(['event:Click'])],
      ['c3', ALL],
    ]);
    expect(changes.due(['c1', 'c2', 'c3', 'c4'], new Set(['event:Webinar']))).toEqual(['c1', 'c3']);
    // What a step derives is seen by later steps.
    changes.add(['c2'], 'score:main');
    expect(changes.due(['c1', 'c2', 'c3'], new Set(['score:main']))).toEqual(['c2', 'c3']);
    expect(changes.due(['c1', 'c2'], new Set())).toEqual([]);
  });

  it("gives an account its contacts' changes, as they grow", () => {
    const contacts = new PassChanges([['c1', new Set(['event:Webinar'])]]);
    const pass = new PassScope(['c1'], ['a1', 'a2'], contacts, new PassChanges([['a2', ALL]]), [{ contactId: 'c1', accountId: 'a1' }]);
    expect(pass.accountsDue(new Set(['score:main']))).toEqual(['a2']);
    pass.contactsChanged(['c1'], 'score:main');
    expect(pass.accountsDue(new Set(['score:main']))).toEqual(['a1', 'a2']);
    expect(pass.contactsDue(new Set(['event:Webinar']))).toEqual(['c1']);
  });
});
