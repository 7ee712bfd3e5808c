// Public surface of the process adapter: interface, real runner, simulator, crash records.
export type {
  ManagedProcess,
  ProcessErrorCode,
  ProcessExit,
  ProcessRecord,
  ProcessRecords,
  ProcessRunner,
  ReapedProcess,
  ReapOptions,
  StartOptions,
  StopOptions,
} from './types.ts';
export { ProcessError, isProcessError } from './errors.ts';
export type { ProcessAdapterErrorCode } from './errors.ts';
export { createProcessRunner } from './process-runner.ts';
export type { ProcessRunnerOptions } from './process-runner.ts';
export { createFakeProcessRunner } from './fake-process-runner.ts';
export type { FakeProcess, FakeProcessRunner, FakeProcessRunnerOptions } from './fake-process-runner.ts';
export { createProcessRecords } from './process-records.ts';
export type { ProcessRecordsOptions } from './process-records.ts';
export { reapOrphans } from './reap-orphans.ts';
export { currentInstanceId, isInstanceAlive } from './instance-id.ts';
export { LineSplitter } from './line-splitter.ts';
export { readCommandLine } from './proc-fs.ts';
