// Public surface of the ports adapter.
// Coming next in this folder (signatures fixed):
//   createPortAllocator(options?: PortAllocatorOptions): PortAllocator        real
//   createFakePortAllocator(options?): FakePortAllocator                      simulator
//   findPortHolder(port: number): Promise<PortHolder | undefined>             Linux /proc
//   parsePortRange(text: string): PortRange
export type { PortAllocator, PortAllocatorOptions, PortHolder, PortRange } from './types.ts';
export { PortError, isPortError } from './errors.ts';
export type { PortErrorCode } from './errors.ts';
