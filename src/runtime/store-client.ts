// The in-process Client: the async API of src/runtime/types.ts over the store. Every write goes
// through the store, so it is admitted and validated exactly like a write over HTTP.
import { isApiError } from '../api/status.ts';
import type { KubeObject } from '../api/types.ts';
import type { Store } from '../api/store.ts';
import type { Client } from './types.ts';

export interface StoreClientOptions {
  /** Recorded as the field manager of writes (e.g. the controller's name). */
  fieldManager?: string;
}

export function createStoreClient(store: Store, options: StoreClientOptions = {}): Client {
  const fieldManager = options.fieldManager;
  const write = fieldManager ? { fieldManager } : {};
  return {
    async get<T extends KubeObject>(type: string, namespace: string, name: string) {
      return store.tryGet<T>(type, namespace || undefined, name);
    },
    async list<T extends KubeObject>(type: string, listOptions?: Parameters<Store['list']>[1]) {
      return store.list<T>(type, listOptions).items;
    },
    async create<T extends KubeObject>(obj: T) {
      return store.create<T>(obj, write);
    },
    async update<T extends KubeObject>(obj: T) {
      return store.update<T>(obj, write);
    },
    async patch<T extends KubeObject>(type: string, namespace: string, name: string, patch: unknown, patchType = 'merge' as const) {
      return store.patch<T>(type, namespace || undefined, name, patchType, patch, write).object;
    },
    async updateStatus<T extends KubeObject>(obj: T) {
      return store.update<T>(obj, { ...write, subresource: 'status' });
    },
    async patchStatus<T extends KubeObject>(type: string, namespace: string, name: string, patch: unknown, patchType = 'merge' as const) {
      return store.patch<T>(type, namespace || undefined, name, patchType, patch, { ...write, subresource: 'status' }).object;
    },
    async delete(type, namespace, name, deleteOptions) {
      try {
        return store.delete(type, namespace || undefined, name, deleteOptions);
      } catch (err) {
        if (isApiError(err, 'NotFound')) return undefined;
        throw err;
      }
    },
  };
}
