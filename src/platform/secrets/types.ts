// Parameter values (Resource spec.parameters, env valueFrom.parameter, {name} in connection
// strings). They live outside the API objects: apphost's environment, `.apphost/secrets.json`.
import type { ParameterSpec } from '../../api/types.ts';

export interface ParameterSource {
  /**
   * The value of a parameter: `Parameters__<name>` in apphost's environment, else the one kept in
   * the secrets file, else (with `generate`) a new random one, kept there, else `spec.value`.
   * Undefined: it has none (the user must configure it).
   */
  value(spec: ParameterSpec): string | undefined;
}
