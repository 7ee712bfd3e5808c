// The scale subresource (`<plural>/<name>/scale`, autoscaling/v1 Scale) of kinds whose CRD declares
// `subresources.scale`: GET reads the replica paths, PUT and PATCH write `specReplicasPath` of the
// main object (through the store, so admission and optimistic concurrency apply as for any write).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KindInfo, ScaleSubresource } from '../../src/api/registry.ts';
import { ApiError, errors } from '../../src/api/status.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { isPlainObject } from '../../src/api/json.ts';
import { applyJsonPatch, applyMergePatch } from '../store/patch.ts';
import { decodeBody, decodeObject, mediaType, objectBodyFormat, readBody } from './body.ts';
import type { HandlerContext } from './context.ts';
import { dryRunOf, writeManagerOf } from './query.ts';
import { sendJson } from './respond.ts';
import type { ObjectRoute } from './routes.ts';

export const SCALE_KIND = { group: 'autoscaling', version: 'v1', kind: 'Scale' } as const;
const SCALE_API_VERSION = `${SCALE_KIND.group}/${SCALE_KIND.version}`;

function pathParts(path: string): string[] {
  return path.slice(1).split('.');
}

function readPath(obj: unknown, path: string): unknown {
  let at = obj;
  for (const part of pathParts(path)) at = isPlainObject(at) ? at[part] : undefined;
  return at;
}

/** A merge patch that sets `path` to `value`. */
function patchAt(path: string, value: unknown): Record<string, unknown> {
  const parts = pathParts(path);
  let patch: Record<string, unknown> = { [parts[parts.length - 1]!]: value };
  for (let i = parts.length - 2; i >= 0; i--) patch = { [parts[i]!]: patch };
  return patch;
}

export function scaleOf(obj: KubeObject, scale: ScaleSubresource): Record<string, unknown> {
  const m = obj.metadata;
  const specReplicas = readPath(obj, scale.specReplicasPath);
  const statusReplicas = readPath(obj, scale.statusReplicasPath);
  const selector = scale.labelSelectorPath ? readPath(obj, scale.labelSelectorPath) : undefined;
  return {
    kind: SCALE_KIND.kind,
    apiVersion: SCALE_API_VERSION,
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof specReplicas === 'number' ? specReplicas : 0 },
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, ...(typeof selector === 'string' && selector !== '' ? { selector } : {}) },
  };
}

function invalidScale(name: string, field: string, message: string): ApiError {
  return errors.invalid(SCALE_KIND.kind, SCALE_KIND.group, name, [{ reason: 'FieldValueInvalid', field, message }]);
}

/** Checks a Scale body and writes its spec.replicas into the main object. */
function writeScale(ctx: HandlerContext, req: IncomingMessage, info: KindInfo, scale: ScaleSubresource, route: ObjectRoute, body: unknown, query: URLSearchParams): KubeObject {
  const name = route.name!;
  if (!isPlainObject(body)) throw errors.badRequest('the Scale must be a JSON object');
  if ((body['apiVersion'] ?? SCALE_API_VERSION) !== SCALE_API_VERSION || (body['kind'] ?? SCALE_KIND.kind) !== SCALE_KIND.kind) {
    throw errors.badRequest(`the scale subresource takes a ${SCALE_API_VERSION} Scale`);
  }
  const meta = isPlainObject(body['metadata']) ? body['metadata'] : {};
  if (meta['name'] !== undefined && meta['name'] !== name) {
    throw errors.badRequest(`the name of the object (${String(meta['name']).slice(0, 100)}) does not match the name on the URL (${name})`);
  }
  const replicas = isPlainObject(body['spec']) ? body['spec']['replicas'] : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) throw invalidScale(name, 'spec.replicas', `Invalid value: ${JSON.stringify(replicas) ?? 'null'}: must be an integer`);
  if (replicas < 0) throw invalidScale(name, 'spec.replicas', `Invalid value: ${replicas}: must be greater than or equal to 0`);
  const patch = patchAt(scale.specReplicasPath, replicas);
  if (typeof meta['resourceVersion'] === 'string' && meta['resourceVersion'] !== '') patch['metadata'] = { resourceVersion: meta['resourceVersion'] };
  const fieldManager = writeManagerOf(query, req.headers['user-agent']);
  return ctx.store.patch(info.key, route.namespace, name, 'merge', patch, { dryRun: dryRunOf(query), ...(fieldManager ? { fieldManager } : {}) }).object;
}

export async function serveScale(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, info: KindInfo, route: ObjectRoute, query: URLSearchParams): Promise<void> {
  const scale = info.scale!;
  const method = req.method ?? 'GET';
  const current = () => ctx.store.get(info.key, route.namespace, route.name!);
  switch (method) {
    case 'GET':
      return sendJson(res, 200, scaleOf(current(), scale));
    case 'PUT': {
      const body = decodeObject(await readBody(req, ctx.maxBodyBytes), objectBodyFormat(req.headers['content-type']));
      return sendJson(res, 200, scaleOf(writeScale(ctx, req, info, scale, route, body, query), scale));
    }
    case 'PATCH': {
      const type = mediaType(req.headers['content-type']);
      const raw = await readBody(req, ctx.maxBodyBytes);
      const before = scaleOf(current(), scale);
      let after: unknown;
      if (type === 'application/json-patch+json') after = applyJsonPatch(before, decodeBody(raw, 'json'));
      else if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
        const patch = decodeBody(raw, 'json');
        if (!isPlainObject(patch)) throw errors.badRequest('the patch must be a JSON object');
        after = applyMergePatch(before, patch);
      } else {
        throw new ApiError('UnsupportedMediaType', `the scale subresource accepts application/merge-patch+json, application/strategic-merge-patch+json and application/json-patch+json, not ${type.slice(0, 100) || 'none'}`);
      }
      // `before` carries the current resourceVersion, so only one the patch sets can conflict.
      return sendJson(res, 200, scaleOf(writeScale(ctx, req, info, scale, route, after, query), scale));
    }
    default:
      throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource: ${method} ${info.plural}/scale`);
  }
}
