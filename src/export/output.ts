// What an export produces: files (relative to the output folder), notes on what could not be
// carried over as it is, and the commands to run next. Writers return this; write-files.ts
// puts it on disk.
import { stringify } from 'yaml';

export interface ExportFile {
  /** Relative to the output folder, with '/' separators. */
  path: string;
  content: string;
}

export interface ExportResult {
  files: ExportFile[];
  notes: string[];
  /** Commands the user runs next (`helm install ...`, `docker compose up`). */
  next: string[];
}

export interface WriterOptions {
  /** Put secret-looking values into the output instead of leaving them to be filled in. */
  includeSecrets: boolean;
}

/** Notes without repeats, in first-seen order. */
export function uniqueNotes(notes: readonly string[]): string[] {
  return [...new Set(notes)];
}

/**
 * YAML as the readers of these files parse it: Compose (PyYAML) and Kubernetes (sigs.k8s.io/yaml)
 * follow YAML 1.1, where `no`, `on`, `y` are booleans, so such strings are quoted.
 */
export function toYaml(doc: unknown): string {
  return stringify(doc, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}
