export { addEmailTracking, insertBeforeBodyEnd, MAX_TRACKED_URL_CHARS, type TrackedHtml, type TrackingInput } from './tracking-links.ts';
export { appendUtmParameters, utmOf, type UtmContext } from './utm-rules.ts';
export { classifyOpen, MACHINE_OPEN_SECONDS } from './machine-open.ts';
export { EMAIL_LINK_CLICKED, EMAIL_OPENED, recordEmailClick, recordEmailOpen, type HitClient } from './tracking.service.ts';
export { createTrackingSigner, verifyClickToken, verifyOpenToken, type TrackedClick, type TrackedMessage, type TrackingSigner } from './tracking-token.ts';
export { PIXEL_GIF, registerTrackingRoutes } from './tracking.routes.ts';
