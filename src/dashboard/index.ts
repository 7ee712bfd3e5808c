// The web dashboard served by `apphostctl up` (see README.md here).
export { startDashboard } from './server.ts';
export type { Dashboard, DashboardOptions } from './server.ts';
