export { registerStatsRoutes } from './stats.routes.ts';
export { getWorkspaceStats, type WorkspaceStats } from './stats.service.ts';
