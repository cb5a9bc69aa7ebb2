export { registerPublicPages } from './public-pages.ts';
export { registerSubscriptionRoutes } from './subscription.routes.ts';
export {
  CONTACT_LINK_ACTOR,
  confirmSubscription,
  loadPreferences,
  savePreferences,
  subscribeContact,
  unsubscribeByToken,
  type PreferenceChoice,
  type SubscribeInput,
  type SubscribeResult,
} from './subscription.service.ts';
