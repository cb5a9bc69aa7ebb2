export {
  applyEventRetention,
  countEvents,
  eraseEventsOfPerson,
  findStoredMessageIds,
  listEvents,
  listEventsOfPerson,
  moveEventsToContact,
  storeEvents,
  type EventFilter,
  type EventInsert,
} from './events.service.ts';
export { EventSchema, EventTypeParam } from './events.schemas.ts';
export { EventQuery, queryEventsPage, registerEventRoutes, type EventQueryInput } from './events.routes.ts';
