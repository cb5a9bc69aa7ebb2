export {
  actorOfPrincipal,
  cliActor,
  listAuditEntries,
  recordAudit,
  systemActor,
  type AuditActor,
  type AuditEntry,
  type AuditFilter,
} from './audit.service.ts';
export { registerAuditRoutes } from './audit.routes.ts';
