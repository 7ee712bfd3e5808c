// Object endpoints: list, get, create, update, patch, delete, deletecollection and the status
// subresource of every kind the registry knows. Watches and logs have their own files.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../src/api/types.ts';
import { ApiError } from '../../src/api/status.ts';
import { apiVersionOf, type KindInfo } from '../../src/api/registry.ts';
import type { DeleteOptions, PatchType } from '../../src/api/store.ts';
import { decodeBody, decodeObject, mediaType, objectBodyFormat, readBody } from './body.ts';
import type { HandlerContext } from './context.ts';
import { hasLogSubresource } from './discovery.ts';
import { placeholderRefusal } from '../registry/index.ts';
import { serveLogs } from './logs.ts';
import { serveScale } from './scale.ts';
import { isReviewRoute, serveReview } from './auth-reviews.ts';
import { METADATA_LIST_TYPE, METADATA_TYPE, negotiateView, TABLE_TYPE } from './negotiate.ts';
import { boolParam, dryRunOf, fieldManagerOf, fieldValidationOf, intParam, propagationOf, writeManagerOf } from './query.ts';
import { JSON_TYPE, sendJson } from './respond.ts';
import type { ObjectRoute } from './routes.ts';
import { listJson, objectJson } from './serialize.ts';
import { parseIncludeObject, toTable } from './table.ts';
import { serveWatch } from './watch.ts';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+json': 'apply',
};

function notFoundPath(): ApiError {
  return new ApiError('NotFound', 'the server could not find the requested resource');
}

function methodNotAllowed(method: string, what: string): ApiError {
  return new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource: ${method} ${what}`);
}

/** The kind a path names, or 404. */
export function kindForRoute(ctx: HandlerContext, route: ObjectRoute): KindInfo {
  const info = ctx.registry.resolve(route.group === '' ? route.plural : `${route.plural}.${route.group}`);
  if (!info || info.group !== route.group || info.version !== route.version || info.plural !== route.plural) {
    throw notFoundPath();
  }
  if (!info.namespaced && route.namespace !== undefined) throw notFoundPath();
  if (info.namespaced && route.namespace === undefined && route.name !== undefined) throw notFoundPath();
  return info;
}

const gv = apiVersionOf;

function sendObject(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, info: KindInfo, code: number, obj: KubeObject, query: URLSearchParams, warnings?: string[]): void {
  const view = negotiateView(req.headers.accept);
  if (view === 'table') {
    const table = toTable(info, [obj], { now: ctx.now(), include: parseIncludeObject(query.get('includeObject')), resourceVersion: obj.metadata.resourceVersion });
    sendJson(res, code, table, TABLE_TYPE, warnings);
  } else if (view === 'metadata') {
    sendJson(res, code, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata }, METADATA_TYPE, warnings);
  } else {
    sendJson(res, code, objectJson(obj), JSON_TYPE, warnings);
  }
}

function list(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, info: KindInfo, route: ObjectRoute, query: URLSearchParams): void {
  const result = ctx.store.list(info.key, {
    namespace: route.namespace,
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector: query.get('fieldSelector') ?? undefined,
    limit: intParam(query, 'limit'),
    continue: query.get('continue') || undefined,
  });
  const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continue) metadata['continue'] = result.continue;
  if (result.remainingItemCount !== undefined) metadata['remainingItemCount'] = result.remainingItemCount;
  const view = negotiateView(req.headers.accept);
  if (view === 'table') {
    const table = toTable(info, result.items, {
      now: ctx.now(),
      include: parseIncludeObject(query.get('includeObject')),
      resourceVersion: result.resourceVersion,
      continue: result.continue,
      remainingItemCount: result.remainingItemCount,
    });
    sendJson(res, 200, table, TABLE_TYPE);
  } else if (view === 'metadata') {
    const items = result.items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata }));
    sendJson(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items }, METADATA_LIST_TYPE);
  } else {
    sendJson(res, 200, listJson({ apiVersion: gv(info), kind: info.listKind, metadata }, result.items));
  }
}

/** Fills apiVersion, kind and namespace from the path; rejects a body that names another kind or namespace. */
function prepareBody(info: KindInfo, route: ObjectRoute, body: Record<string, unknown>): KubeObject {
  if (body['apiVersion'] === undefined || body['apiVersion'] === '') body['apiVersion'] = gv(info);
  if (body['kind'] === undefined || body['kind'] === '') body['kind'] = info.kind;
  if (body['apiVersion'] !== gv(info)) {
    throw new ApiError('BadRequest', `the API version in the data (${String(body['apiVersion']).slice(0, 100)}) does not match the expected API version (${gv(info)})`);
  }
  if (body['kind'] !== info.kind) {
    throw new ApiError('BadRequest', `the kind in the data (${String(body['kind']).slice(0, 100)}) does not match the expected kind (${info.kind})`);
  }
  if (body['metadata'] === undefined || body['metadata'] === null) body['metadata'] = {};
  const meta = body['metadata'];
  if (typeof meta !== 'object' || Array.isArray(meta)) {
    throw new ApiError('BadRequest', 'metadata: must be an object');
  }
  const m = meta as Record<string, unknown>;
  if (info.namespaced) {
    if (m['namespace'] === undefined || m['namespace'] === '') m['namespace'] = route.namespace;
    else if (m['namespace'] !== route.namespace) {
      throw new ApiError('BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
  } else if (m['namespace'] !== undefined && m['namespace'] !== '') {
    throw new ApiError('BadRequest', `${info.kind} is not namespaced: metadata.namespace must be empty`);
  }
  if (route.name !== undefined) {
    if (m['name'] === undefined || m['name'] === '') m['name'] = route.name;
    else if (m['name'] !== route.name) {
      throw new ApiError('BadRequest', `the name of the object (${String(m['name']).slice(0, 100)}) does not match the name on the URL (${route.name})`);
    }
  }
  if (m['name'] !== undefined && typeof m['name'] !== 'string') throw invalidName(info, 'must be a string');
  return body as unknown as KubeObject;
}

function invalidName(info: KindInfo, why: string): ApiError {
  return new ApiError('Invalid', `${info.kind}.${info.group} is invalid: metadata.name: Invalid value: ${why}`, {
    group: info.group,
    kind: info.kind,
    causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${why}` }],
  });
}

async function create(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, info: KindInfo, route: ObjectRoute, query: URLSearchParams): Promise<void> {
  if (info.namespaced && route.namespace === undefined) throw methodNotAllowed('POST', `${info.plural} (all namespaces)`);
  const format = objectBodyFormat(req.headers['content-type']);
  const body = decodeObject(await readBody(req, ctx.maxBodyBytes), format);
  const obj = prepareBody(info, route, body);
  const warnings: string[] = [];
  const created = ctx.store.create(obj, {
    dryRun: dryRunOf(query),
    fieldValidation: fieldValidationOf(query),
    fieldManager: writeManagerOf(query, req.headers['user-agent']),
    warnings,
  });
  sendObject(ctx, req, res, info, 201, created, query, warnings);
}

async function update(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, info: KindInfo, route: ObjectRoute, query: URLSearchParams): Promise<void> {
  const format = objectBodyFormat(req.headers['content-type']);
  const body = decodeObject(await readBody(req, ctx.maxBodyBytes), format);
  const obj = prepareBody(info, route, body);
  const warnings: string[] = [];
  const updated = ctx.store.update(obj, {
    dryRun: dryRunOf(query),
    fieldValidation: fieldValidationOf(query),
    fieldManager: writeManagerOf(query, req.headers['user-agent']),
    subresource: route.subresource === 'status' ? 'status' : undefined,
    warnings,
  });
  sendObject(ctx, req, res, info, 200, updated, query, warnings);
}

async function patch(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, info: KindInfo, route: ObjectRoute, query: URLSearchParams): Promise<void> {
  const type = mediaType(req.headers['content-type']);
  const patchType = PATCH_TYPES[type];
  if (!patchType) {
    throw new ApiError(
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`,
    );
  }
  const fieldManager = patchType === 'apply' ? fieldManagerOf(query) : writeManagerOf(query, req.headers['user-agent']);
  if (patchType === 'apply' && !fieldManager) {
    throw new ApiError('BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  }
  const dryRun = dryRunOf(query);
  const fieldValidation = fieldValidationOf(query);
  const force = boolParam(query, 'force');
  const raw = await readBody(req, ctx.maxBodyBytes);
  const body = decodeBody(raw, patchType === 'apply' ? 'yaml' : 'json');
  if (patchType === 'json') {
    if (!Array.isArray(body)) throw new ApiError('BadRequest', 'json patch must be an array of operations');
  } else if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('BadRequest', 'the patch must be a JSON object');
  }
  if (patchType === 'apply') {
    const applied = body as Record<string, unknown>;
    if (applied['apiVersion'] !== gv(info) || applied['kind'] !== info.kind) {
      throw new ApiError('BadRequest', `an apply patch must name apiVersion ${gv(info)} and kind ${info.kind}`);
    }
    if (route.subresource === 'status') throw new ApiError('BadRequest', 'server-side apply to the status subresource is not supported');
  }
  const warnings: string[] = [];
  const result = ctx.store.patch(info.key, route.namespace, route.name!, patchType, body, {
    dryRun,
    fieldValidation,
    fieldManager,
    force,
    subresource: route.subresource === 'status' ? 'status' : undefined,
    warnings,
  });
  sendObject(ctx, req, res, info, result.created ? 201 : 200, result.object, query, warnings);
}

async function deleteOptionsOf(ctx: HandlerContext, req: IncomingMessage, query: URLSearchParams): Promise<DeleteOptions> {
  const options: DeleteOptions = {
    dryRun: dryRunOf(query),
    propagationPolicy: propagationOf(query.get('propagationPolicy')),
  };
  if (query.get('orphanDependents') === 'true' && !options.propagationPolicy) options.propagationPolicy = 'Orphan';
  intParam(query, 'gracePeriodSeconds');
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody) return options;
  const raw = await readBody(req, ctx.maxBodyBytes);
  if (raw.length === 0 || raw.toString('utf8').trim() === '') return options;
  const body = decodeObject(raw, objectBodyFormat(req.headers['content-type']));
  if (body['propagationPolicy'] !== undefined) options.propagationPolicy = propagationOf(body['propagationPolicy']);
  if (body['orphanDependents'] === true && !options.propagationPolicy) options.propagationPolicy = 'Orphan';
  const dryRun = body['dryRun'];
  if (dryRun !== undefined && dryRun !== null) {
    if (!Array.isArray(dryRun) || dryRun.some((v) => v !== 'All')) {
      throw new ApiError('BadRequest', 'dryRun: Unsupported value: supported values: "All"');
    }
    if (dryRun.length > 0) options.dryRun = true;
  }
  const pre = body['preconditions'];
  if (pre !== undefined && pre !== null) {
    if (typeof pre !== 'object' || Array.isArray(pre)) throw new ApiError('BadRequest', 'preconditions: must be an object');
    const p = pre as Record<string, unknown>;
    for (const k of ['uid', 'resourceVersion']) {
      if (p[k] !== undefined && p[k] !== null && typeof p[k] !== 'string') throw new ApiError('BadRequest', `preconditions.${k}: must be a string`);
    }
    options.preconditions = {
      ...(typeof p['uid'] === 'string' && p['uid'] ? { uid: p['uid'] } : {}),
      ...(typeof p['resourceVersion'] === 'string' && p['resourceVersion'] ? { resourceVersion: p['resourceVersion'] } : {}),
    };
  }
  return options;
}

async function remove(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, info: KindInfo, route: ObjectRoute, query: URLSearchParams): Promise<void> {
  const options = await deleteOptionsOf(ctx, req, query);
  const obj = ctx.store.delete(info.key, route.namespace, route.name!, options);
  sendObject(ctx, req, res, info, 200, obj, query);
}

async function removeCollection(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, info: KindInfo, route: ObjectRoute, query: URLSearchParams): Promise<void> {
  const options = await deleteOptionsOf(ctx, req, query);
  const deleted = ctx.store.deleteCollection(info.key, {
    ...options,
    namespace: route.namespace,
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector: query.get('fieldSelector') ?? undefined,
  });
  sendJson(res, 200, listJson({ apiVersion: gv(info), kind: info.listKind, metadata: { resourceVersion: ctx.store.resourceVersion() } }, deleted));
}

export async function handleObjects(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, route: ObjectRoute, query: URLSearchParams): Promise<void> {
  if (isReviewRoute(route)) return serveReview(ctx, req, res, route);
  const info = kindForRoute(ctx, route);
  const method = req.method ?? 'GET';
  // Before any body is read: kubectl sends built-in kinds as protobuf, and the answer is the same.
  if (info.placeholder && method !== 'GET') throw new ApiError('MethodNotAllowed', placeholderRefusal(info), { group: info.group, kind: info.plural });

  if (route.watchPath) {
    if (method !== 'GET') throw methodNotAllowed(method, 'watch');
    return serveWatch(ctx, req, res, info, route, query);
  }

  if (route.subresource !== undefined) {
    if (route.subresource === 'log' && hasLogSubresource(info)) {
      if (method !== 'GET') throw methodNotAllowed(method, `${info.plural}/log`);
      return serveLogs(ctx, req, res, info, route, query);
    }
    if (route.subresource === 'scale' && info.scale) return serveScale(ctx, req, res, info, route, query);
    if (route.subresource !== 'status' || !info.hasStatusSubresource) throw notFoundPath();
    switch (method) {
      case 'GET':
        return sendObject(ctx, req, res, info, 200, ctx.store.get(info.key, route.namespace, route.name!), query);
      case 'PUT':
        return update(ctx, req, res, info, route, query);
      case 'PATCH':
        return patch(ctx, req, res, info, route, query);
      default:
        throw methodNotAllowed(method, `${info.plural}/status`);
    }
  }

  if (route.name === undefined) {
    switch (method) {
      case 'GET':
        if (boolParam(query, 'watch')) return serveWatch(ctx, req, res, info, route, query);
        return list(ctx, req, res, info, route, query);
      case 'POST':
        return create(ctx, req, res, info, route, query);
      case 'DELETE':
        if (info.namespaced && route.namespace === undefined) throw methodNotAllowed(method, `${info.plural} (all namespaces)`);
        return removeCollection(ctx, req, res, info, route, query);
      default:
        throw methodNotAllowed(method, info.plural);
    }
  }

  switch (method) {
    case 'GET':
      if (boolParam(query, 'watch')) return serveWatch(ctx, req, res, info, route, query);
      return sendObject(ctx, req, res, info, 200, ctx.store.get(info.key, route.namespace, route.name), query);
    case 'PUT':
      return update(ctx, req, res, info, route, query);
    case 'PATCH':
      return patch(ctx, req, res, info, route, query);
    case 'DELETE':
      return remove(ctx, req, res, info, route, query);
    default:
      throw methodNotAllowed(method, info.plural);
  }
}
