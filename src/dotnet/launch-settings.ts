// Properties/launchSettings.json: which profile applies and what it says.
// Choice: explicit name, then DOTNET_LAUNCH_PROFILE, then the first profile that runs the project
// (commandName "Project"), then the first profile at all.
import { DotnetError } from './errors.ts';
import { readJsonFile } from './read-json.ts';

export interface LaunchProfile {
  commandName?: string;
  applicationUrl?: string;
  environmentVariables?: Record<string, string>;
  commandLineArgs?: string;
  [key: string]: unknown;
}

export interface LaunchSettings {
  profiles: Record<string, LaunchProfile>;
}

export function readLaunchSettings(file: string): LaunchSettings | undefined {
  const raw = readJsonFile(file);
  if (raw === undefined) return undefined;
  const profiles = (raw as { profiles?: unknown })?.profiles;
  if (!profiles || typeof profiles !== 'object' || Array.isArray(profiles)) return { profiles: {} };
  return { profiles: profiles as Record<string, LaunchProfile> };
}

export interface SelectProfileOptions {
  /** Explicit profile name (e.g. `spec.executable.launchProfile.name`); must exist. */
  name?: string;
  /** Environment consulted for DOTNET_LAUNCH_PROFILE. */
  env?: Record<string, string | undefined>;
  /** For error messages. */
  file?: string;
}

export interface SelectedProfile {
  name: string;
  profile: LaunchProfile;
  /** How it was chosen. */
  by: 'name' | 'DOTNET_LAUNCH_PROFILE' | 'first';
}

export function selectLaunchProfile(settings: LaunchSettings, options: SelectProfileOptions = {}): SelectedProfile | undefined {
  const names = Object.keys(settings.profiles);
  const where = options.file ? ` in ${options.file}` : '';
  if (options.name) {
    const profile = settings.profiles[options.name];
    if (!profile) {
      throw new DotnetError(
        'DOTNET_PROFILE_NOT_FOUND',
        `launch profile "${options.name}" not found${where} (profiles: ${names.join(', ') || 'none'})`,
      );
    }
    return { name: options.name, profile, by: 'name' };
  }
  const fromEnv = options.env?.DOTNET_LAUNCH_PROFILE;
  if (fromEnv) {
    const profile = settings.profiles[fromEnv];
    if (!profile) {
      throw new DotnetError(
        'DOTNET_PROFILE_NOT_FOUND',
        `DOTNET_LAUNCH_PROFILE="${fromEnv}" names no profile${where} (profiles: ${names.join(', ') || 'none'})`,
      );
    }
    return { name: fromEnv, profile, by: 'DOTNET_LAUNCH_PROFILE' };
  }
  const first = names.find((n) => settings.profiles[n]?.commandName === 'Project') ?? names[0];
  return first === undefined ? undefined : { name: first, profile: settings.profiles[first], by: 'first' };
}
