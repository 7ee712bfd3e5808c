// apphostctl export: the app model written for a distributed engine (Kubernetes, Docker Compose).
// Nothing here runs or contacts anything: it reads Resources and returns files.
export { buildModel, FIRST_ASSIGNED_PORT } from './model.ts';
export type { ExportModel, ExportResource, ExportPort, ModelOptions } from './model.ts';
export { composeExport, COMPOSE_NETWORK } from './compose.ts';
export { manifestsExport, CONFIG_HASH_ANNOTATION } from './manifests.ts';
export type { KubernetesWriterOptions } from './manifests.ts';
export { helmExport } from './helm-chart.ts';
export { writeExport, MARKER_FILE } from './write-files.ts';
export { ExportError, isExportError } from './errors.ts';
export type { ExportFile, ExportResult, WriterOptions } from './output.ts';
