export { registerAccountRoutes } from './accounts.routes.ts';
export { registerContactRoutes } from './contacts.routes.ts';
export { AccountSchema, ContactSchema } from './profiles.schemas.ts';
