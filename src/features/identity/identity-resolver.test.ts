import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identityKey, planResolution, type IdentifiedEvent, type KnownIdentities } from './identity-resolver.ts';

const empty = (): KnownIdentities => ({ byKey: new Map(), userIdsByContact: new Map(), contactsWithEmail: new Set() });

// Small alphabets so that identifiers collide often: that is where the rules matter.
const eventArb: fc.Arbitrary<IdentifiedEvent> = fc.record({
  type: fc.constantFrom('track', 'identify', 'page', 'alias'),
  messageId: fc.uuid(),
  userId: fc.option(fc.constantFrom('u1', 'u2', 'u3'), { nil: null }),
  anonymousId: fc.option(fc.constantFrom('a1', 'a2', 'a3', 'a4'), { nil: null }),
  email: fc.option(fc.constantFrom('x@a.co', 'y@b.co'), { nil: null }),
  previousId: fc.option(fc.constantFrom('a1', 'a2', 'u1', 'u2'), { nil: null }),
}).filter((e) => e.userId !== null || e.anonymousId !== null);

/** Replays a plan into the final identity -> contact map. */
function finalIdentities(events: IdentifiedEvent[]) {
  const plan = planResolution(events, empty());
  const owner = new Map<string, string>();
  for (const i of plan.newIdentities) owner.set(identityKey(i.kind, i.value), plan.survivorOf(i.contactId));
  return { plan, owner };
}

describe('identity resolution invariants (property-based)', () => {
  it('never gives one contact two different userIds', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        const { owner } = finalIdentities(events);
        const userIdsOf = new Map<string, Set<string>>();
        for (const [key, contact] of owner) {
          if (!key.startsWith('user_id:')) continue;
          userIdsOf.set(contact, new Set([...(userIdsOf.get(contact) ?? []), key]));
        }
        for (const ids of userIdsOf.values()) expect(ids.size).toBe(1);
      }),
      { numRuns: 500 },
    );
  });

  it('puts every event with a userId on the contact that owns that userId', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        const { plan, owner } = finalIdentities(events);
        events.forEach((event, i) => {
          if (event.userId && event.type !== 'alias') {
            expect(plan.eventContactIds[i]).toBe(owner.get(identityKey('user_id', event.userId)));
          }
        });
      }),
      { numRuns: 500 },
    );
  });

  it('points every event and identity at a surviving contact, and merges only into survivors', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        const { plan, owner } = finalIdentities(events);
        const losers = new Set(plan.merges.map((m) => m.loserId));
        for (const contact of [...plan.eventContactIds, ...owner.values()]) {
          expect(losers.has(contact)).toBe(false);
          expect(plan.survivorOf(contact)).toBe(contact);
        }
        for (const merge of plan.merges) expect(losers.has(merge.winnerId)).toBe(false);
        // New contacts are exactly the survivors that were minted: none is a loser.
        for (const id of plan.newContactIds) expect(losers.has(id)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('resolves the same events the same way whether sent in one chunk or in two', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 2, maxLength: 30 }), fc.nat(), (events, cut) => {
        const at = 1 + (cut % (events.length - 1));
        const whole = finalIdentities(events);
        // Second chunk sees the first chunk's identities as stored.
        const first = planResolution(events.slice(0, at), empty());
        const known = empty();
        for (const i of first.newIdentities) {
          const contact = first.survivorOf(i.contactId);
          known.byKey.set(identityKey(i.kind, i.value), contact);
          if (i.kind === 'user_id') known.userIdsByContact.set(contact, new Set([...(known.userIdsByContact.get(contact) ?? []), i.value]));
          if (i.kind === 'email') known.contactsWithEmail.add(contact);
        }
        const second = planResolution(events.slice(at), known);
        // Same partition of userIds into contacts: two userIds share a contact in one run iff in the other.
        const groupOf = (owner: Map<string, string>, survivor: (c: string) => string) => {
          const groups = new Map<string, string[]>();
          for (const [key, contact] of owner) {
            const c = survivor(contact);
            groups.set(c, [...(groups.get(c) ?? []), key].sort());
          }
          return [...groups.values()].map((g) => g.join('|')).sort();
        };
        const split = new Map<string, string>(known.byKey);
        for (const i of second.newIdentities) split.set(identityKey(i.kind, i.value), i.contactId);
        expect(groupOf(split, second.survivorOf)).toEqual(groupOf(whole.owner, whole.plan.survivorOf));
      }),
      { numRuns: 300 },
    );
  });
});
