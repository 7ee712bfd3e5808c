// The real ParameterSource: apphost's environment, then `.apphost/secrets.json`
// (`{ "parameters": { "<name>": "<value>" } }`, mode 0600 in a 0700 folder), where generated values
// are kept so the next run reuses them (a database's password must not change under its data).
import { randomInt } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parameterVariableName } from '../../api/connection-template.ts';
import type { ParameterSpec } from '../../api/types.ts';
import { SecretsError } from './errors.ts';
import type { ParameterSource } from './types.ts';

export const DEFAULT_GENERATED_LENGTH = 22;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Letters and digits only: safe in URLs, key=value connection strings and shell words. */
export function generateSecret(length = DEFAULT_GENERATED_LENGTH): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

interface SecretsFile {
  parameters?: Record<string, string>;
  [key: string]: unknown;
}

export interface FileParameterSourceOptions {
  /** Path of secrets.json (e.g. `<dir>/.apphost/secrets.json`). */
  file: string;
  /** Where `Parameters__<name>` is looked up (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export function createFileParameterSource(options: FileParameterSourceOptions): ParameterSource {
  const { file } = options;
  const env = options.env ?? process.env;
  let cache: SecretsFile | undefined;

  function load(): SecretsFile {
    if (cache) return cache;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (cache = {});
      throw new SecretsError('SECRETS_FILE_INVALID', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new SecretsError('SECRETS_FILE_INVALID', `${file} is not valid JSON (${(err as Error).message}); fix or remove it`, { cause: err });
    }
    const params = (parsed as SecretsFile | null)?.parameters;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || (params !== undefined && (typeof params !== 'object' || params === null))) {
      throw new SecretsError('SECRETS_FILE_INVALID', `${file} must be an object like {"parameters": {"name": "value"}}`);
    }
    return (cache = parsed as SecretsFile);
  }

  function store(name: string, value: string): void {
    const next: SecretsFile = { ...load(), parameters: { ...load().parameters, [name]: value } };
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      chmodSync(tmp, 0o600);
      renameSync(tmp, file);
    } catch (err) {
      throw new SecretsError('SECRETS_WRITE_FAILED', `cannot write ${file}: ${(err as Error).message}`, { cause: err });
    }
    cache = next;
  }

  return {
    value(spec: ParameterSpec): string | undefined {
      const fromEnv = env[parameterVariableName(spec.name)];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
      const stored = load().parameters?.[spec.name];
      if (typeof stored === 'string') return stored;
      if (spec.generate) {
        const value = generateSecret(spec.generate.length ?? DEFAULT_GENERATED_LENGTH);
        store(spec.name, value);
        return value;
      }
      return spec.value;
    },
  };
}

/** In-memory ParameterSource for tests: fixed values, generated ones remembered. */
export function createMemoryParameterSource(values: Record<string, string> = {}): ParameterSource & { values: Record<string, string> } {
  const held = { ...values };
  return {
    values: held,
    value(spec) {
      if (held[spec.name] !== undefined) return held[spec.name];
      if (spec.generate) return (held[spec.name] = generateSecret(spec.generate.length ?? DEFAULT_GENERATED_LENGTH));
      return spec.value;
    },
  };
}
