// The store's public surface.
import { MemoryStore, type StoreOptions } from './store.ts';
import type { Store } from '../../src/api/store.ts';

export type { StoreOptions } from './store.ts';
export type * from '../../src/api/store.ts';
export { parseLabelSelector, parseFieldSelector } from './selectors.ts';
export { applyMergePatch, applyJsonPatch } from './patch.ts';
export { deepFreeze, rfc3339 } from './objects.ts';

export function createStore(options: StoreOptions): Store {
  return new MemoryStore(options);
}
