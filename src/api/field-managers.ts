// Who writes an object, as metadata.managedFields names them. apphostctl's writes and the user's
// manifests, whichever way they come in (`up -f`, an apphost file, `apphostctl apply`), are one
// manager: a field a manifest stops setting is removed by the next apply, as with `kubectl apply`.
export const APPHOSTCTL_FIELD_MANAGER = 'apphostctl';
