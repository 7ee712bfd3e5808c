// What `builder.build().run()` calls to start apphost in this process. The builder does not know
// the CLI (it sits beside it, not above it): the package entry point (src/index.ts) registers the
// foreground runner that `apphostctl up` uses. Kept on globalThis (Symbol.for), like the capture,
// so it works whichever copy of this module an apphost file loads.
import type { KubeObject } from '../api/types.ts';
import { BuilderError } from './errors.ts';

export interface ApphostRunRequest {
  dir: string;
  name?: string;
  manifests: KubeObject[];
  controllers?: string[];
  crdDirs?: string[];
}

export type ApphostRunner = (request: ApphostRunRequest) => Promise<void>;

const KEY = Symbol.for('apphost.builder.runner');

type Holder = { [KEY]?: ApphostRunner };

export function registerApphostRunner(runner: ApphostRunner): void {
  (globalThis as Holder)[KEY] = runner;
}

export function apphostRunner(): ApphostRunner {
  const runner = (globalThis as Holder)[KEY];
  if (!runner) {
    throw new BuilderError('BUILDER_NO_RUNNER', "run() has nothing to start apphost with: import the builder from 'apphost' (the package entry point)");
  }
  return runner;
}
