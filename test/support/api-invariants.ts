// What must hold of the API server after any sequence of requests, however hostile: every answer is
// a success or a well-formed Status (never a 5xx), and every stored object is well-formed, still
// admissible against its CRD, and served over HTTP exactly as stored.
import { expect } from 'vitest';
import type { KubeObject } from '../../src/api/types.ts';
import type { TestApiServer } from './apiserver.ts';
import type { RawRequest, RawResponse, createRawClient } from './raw-api-client.ts';

/** Why a response breaks the contract, or undefined when it is fine. */
export function responseProblem(req: RawRequest, res: RawResponse): string | undefined {
  const what = `${req.method ?? 'GET'} ${req.path.slice(0, 200)} -> ${res.status}: ${res.text.slice(0, 300)}`;
  if (res.status >= 500) return `server error: ${what}`;
  if (res.status === 0) return `no status: ${what}`;
  if (res.status >= 400 && req.method !== 'HEAD') {
    const s = res.json;
    if (!s || s.kind !== 'Status' || s.apiVersion !== 'v1' || s.status !== 'Failure' || s.code !== res.status || typeof s.reason !== 'string' || typeof s.message !== 'string') {
      return `error without a proper Status: ${what}`;
    }
  }
  return undefined;
}

/** Checks every object of every kind; returns how many it checked. */
export async function expectStoredObjectsValid(api: TestApiServer, client: ReturnType<typeof createRawClient>): Promise<number> {
  let checked = 0;
  for (const info of api.registry.list()) {
    const { items } = api.store.list(info.key);
    for (const obj of items) {
      const m = obj.metadata;
      expect(m.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(m.name.length).toBeLessThanOrEqual(253);
      if (info.namespaced) expect(m.namespace).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(m.uid).toBeTruthy();
      expect(m.resourceVersion).toMatch(/^\d+$/);
      expect(Number.isNaN(Date.parse(m.creationTimestamp!))).toBe(false);
      expect(obj.apiVersion).toBe(info.group ? `${info.group}/${info.version}` : info.version);
      expect(obj.kind).toBe(info.kind);
      expect(() => api.registry.admit(info, structuredClone(obj) as KubeObject, 'UPDATE', obj, { fieldValidation: 'Strict' })).not.toThrow();
      const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
      const path = info.namespaced ? `${base}/namespaces/${m.namespace}/${info.plural}/${encodeURIComponent(m.name)}` : `${base}/${info.plural}/${encodeURIComponent(m.name)}`;
      const viaHttp = await client.request({ path });
      expect(viaHttp.json).toEqual(JSON.parse(JSON.stringify(obj)));
      checked++;
    }
  }
  return checked;
}
