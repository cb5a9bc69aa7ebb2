export {
  authenticateKey,
  createApiKey,
  createWorkspace,
  getWorkspace,
  listApiKeys,
  listWorkspaces,
  recordKeyUse,
  revokeApiKey,
  type CreatedKey,
  type CreatedWorkspace,
  type KeySpec,
  type Principal,
} from './workspaces.service.ts';
export { createWriteKeyAuthenticator, requireAdminKey, writeKeyFrom, type WriteKeyAuthenticator } from './workspaces.auth.ts';
export { registerWorkspaceRoutes } from './workspaces.routes.ts';
