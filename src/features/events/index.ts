export { findStoredMessageIds, moveEventsToContact, storeEvents, type EventInsert } from './events.service.ts';
