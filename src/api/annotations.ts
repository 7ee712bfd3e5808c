// Annotations apphost reads on Resources. One place, so writers (the manifest loader, the builder,
// apphostctl) and readers (the controllers, the .NET endpoint reader) cannot drift apart.

/**
 * The folder a Resource's manifest came from: a relative `workingDir`, volume source or .NET
 * project path resolves against it (the manifest loader and the builder set it).
 */
export const BASE_DIR_ANNOTATION = 'apphost.dev/base-dir';

/** Set by `apphostctl restart` (and the dashboard): a new value replaces every replica, one at a time. */
export const RESTARTED_AT_ANNOTATION = 'apphost.dev/restartedAt';
