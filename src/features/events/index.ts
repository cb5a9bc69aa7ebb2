export {
  applyEventRetention,
  countEvents,
  countJourneyMessageEvents,
  type JourneyMessageEventCount,
  eraseEventsOfPerson,
  findStoredMessageIds,
  listEvents,
  listEventsOfPerson,
  listTouchEvents,
  listTrackEventsAfter,
  getLastEventId,
  streamTouchEventsByContact,
  moveEventsOfContact,
  moveEventsToContact,
  restoreEventsOfContact,
  storeEvents,
  type EventFilter,
  type EventInsert,
  type TouchEventRow,
} from './events.service.ts';
export { EventSchema, EventTypeParam } from './events.schemas.ts';
export { EventQuery, queryEventsPage, registerEventRoutes, type EventQueryInput } from './events.routes.ts';
