// Public surface of the process adapter.
// Coming next in this folder (signatures fixed):
//   createProcessRunner(options: ProcessRunnerOptions): ProcessRunner        real, process-runner.ts
//   createFakeProcessRunner(options?): FakeProcessRunner                      simulator
//   createProcessRecords(options: { dir, instanceId? }): ProcessRecords       crash records
//   reapOrphans(options: ReapOptions): Promise<ReapedProcess[]>
//   currentInstanceId(): string; isInstanceAlive(instanceId): boolean
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
