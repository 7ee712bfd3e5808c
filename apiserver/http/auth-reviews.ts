// The self-review endpoints scripts call before acting: `kubectl auth can-i` (SelfSubjectAccessReview,
// SelfSubjectRulesReview) and `kubectl auth whoami` (SelfSubjectReview). The one holder of the
// API token may do everything, so every review allows.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../src/api/status.ts';
import { isPlainObject } from '../../src/api/json.ts';
import { decodeObject, mediaType, objectBodyFormat, readBody } from './body.ts';
import type { HandlerContext } from './context.ts';
import { sendJson } from './respond.ts';
import type { ObjectRoute } from './routes.ts';

/** The user the token stands for, as `kubectl auth whoami` prints it. */
export const TOKEN_USER = { username: 'apphost', groups: ['system:masters', 'system:authenticated'] };

const REVIEWS: Record<string, { group: string; kind: string; status: (spec: Record<string, unknown>) => Record<string, unknown> }> = {
  selfsubjectaccessreviews: {
    group: 'authorization.k8s.io',
    kind: 'SelfSubjectAccessReview',
    status: () => ({ allowed: true, reason: 'the apphost token may do everything' }),
  },
  selfsubjectrulesreviews: {
    group: 'authorization.k8s.io',
    kind: 'SelfSubjectRulesReview',
    status: () => ({
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    }),
  },
  selfsubjectreviews: {
    group: 'authentication.k8s.io',
    kind: 'SelfSubjectReview',
    status: () => ({ userInfo: TOKEN_USER }),
  },
};

/** Whether a route names one of the review endpoints. */
export function isReviewRoute(route: ObjectRoute): boolean {
  const review = REVIEWS[route.plural];
  return review !== undefined && review.group === route.group && route.namespace === undefined && route.name === undefined && !route.watchPath;
}

export async function serveReview(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, route: ObjectRoute): Promise<void> {
  const review = REVIEWS[route.plural]!;
  if (req.method !== 'POST') throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource: ${req.method} ${route.plural}`);
  const raw = await readBody(req, ctx.maxBodyBytes);
  // kubectl sends these built-in kinds as protobuf: the answer does not depend on the question, so
  // the body is only echoed back when it is JSON or YAML (the reply is JSON, which clients accept).
  const format = objectBodyFormat(req.headers['content-type']);
  const body = format === 'protobuf' ? {} : decodeObject(raw, format);
  const apiVersion = `${review.group}/${route.version}`;
  const spec = isPlainObject(body['spec']) ? body['spec'] : {};
  sendJson(res, 201, { kind: review.kind, apiVersion, metadata: { creationTimestamp: null }, spec, status: review.status(spec) });
}
