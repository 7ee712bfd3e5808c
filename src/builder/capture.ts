// The hand-over between an apphost file and the CLI. `apphostctl up -f apphost.ts` and
// `apphostctl manifest -f apphost.ts` open a capture before importing the file; the file's
// `builder.build().run()` then hands its manifests over instead of starting a second apphost.
// Kept on globalThis (Symbol.for) so that it works whichever copy of this module the file loads.
import type { KubeObject } from '../api/types.ts';

export interface Capture {
  /** Folder of the apphost file: relative paths in it resolve against this. */
  baseDir: string;
  /** Set by run(): the manifests of the (last) built application. */
  manifests?: KubeObject[];
  /** The name passed to createBuilder({ name }), if any. */
  name?: string;
}

const KEY = Symbol.for('apphost.builder.capture');

type Holder = { [KEY]?: Capture };

export function beginCapture(baseDir: string): Capture {
  const capture: Capture = { baseDir };
  (globalThis as Holder)[KEY] = capture;
  return capture;
}

export function endCapture(capture: Capture): void {
  if ((globalThis as Holder)[KEY] === capture) delete (globalThis as Holder)[KEY];
}

export function activeCapture(): Capture | undefined {
  return (globalThis as Holder)[KEY];
}
