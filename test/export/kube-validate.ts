// Validates exported Kubernetes objects offline, against the real Kubernetes OpenAPI schemas:
// kubernetes-models (ajv-compiled from the Kubernetes and Gateway API OpenAPI documents) checks
// types, required fields and enums; @kubernetes/client-node's generated type map (from the same
// OpenAPI document) catches unknown fields, which the schemas allow and a real API server rejects
// (strict field validation) or drops. Names are checked with Kubernetes' own rules.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import { expect } from 'vitest';
import { dns1123LabelErrors, dns1123SubdomainErrors, envVarNameErrors, labelValueErrors } from '../../src/api/names.ts';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: unknown };
type Model = new (data: never) => { validate(): void };

const MODELS: Record<string, { model: Model; clientType?: string }> = {
  'v1/ConfigMap': { model: ConfigMap as unknown as Model, clientType: 'V1ConfigMap' },
  'v1/Secret': { model: Secret as unknown as Model, clientType: 'V1Secret' },
  'v1/Service': { model: Service as unknown as Model, clientType: 'V1Service' },
  'v1/Namespace': { model: Namespace as unknown as Model, clientType: 'V1Namespace' },
  'v1/ServiceAccount': { model: ServiceAccount as unknown as Model, clientType: 'V1ServiceAccount' },
  'rbac.authorization.k8s.io/v1/Role': { model: Role as unknown as Model, clientType: 'V1Role' },
  'rbac.authorization.k8s.io/v1/RoleBinding': { model: RoleBinding as unknown as Model, clientType: 'V1RoleBinding' },
  'apps/v1/Deployment': { model: Deployment as unknown as Model, clientType: 'V1Deployment' },
  'apps/v1/StatefulSet': { model: StatefulSet as unknown as Model, clientType: 'V1StatefulSet' },
  'batch/v1/Job': { model: Job as unknown as Model, clientType: 'V1Job' },
  'networking.k8s.io/v1/Ingress': { model: Ingress as unknown as Model, clientType: 'V1Ingress' },
  'gateway.networking.k8s.io/v1/HTTPRoute': { model: HTTPRoute as unknown as Model },
};

const IANA_SVC_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

export function validateKubeObject(obj: Obj): void {
  const id = `${obj.kind}/${obj.metadata?.name}`;
  const entry = MODELS[`${obj.apiVersion}/${obj.kind}`];
  expect(entry, `${id}: no schema for ${obj.apiVersion} ${obj.kind}`).toBeDefined();
  expect(() => new entry!.model(obj as never).validate(), id).not.toThrow();
  if (entry!.clientType) {
    const round = ObjectSerializer.serialize(ObjectSerializer.deserialize(obj, entry!.clientType, ''), entry!.clientType, '');
    expect(round, `${id}: fields the Kubernetes API does not know`).toEqual(JSON.parse(JSON.stringify(obj)));
  }
  const nameErrors = obj.kind === 'Service' || obj.kind === 'Namespace' ? dns1123LabelErrors(obj.metadata.name) : dns1123SubdomainErrors(obj.metadata.name);
  expect(nameErrors, `${id}: name`).toEqual([]);
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) expect(labelValueErrors(v), `${id}: label ${k}`).toEqual([]);
  for (const port of portsOf(obj)) expect(port, `${id}: port name`).toMatch(IANA_SVC_NAME);
  if (obj.kind === 'ConfigMap' || obj.kind === 'Secret') {
    for (const key of Object.keys({ ...(obj.data as object), ...(obj.stringData as object) })) expect(envVarNameErrors(key), `${id}: key ${key}`).toEqual([]);
  }
}

function portsOf(obj: Obj): string[] {
  const spec = obj.spec as { ports?: { name?: string }[]; template?: { spec?: { containers?: { ports?: { name?: string }[] }[] } } } | undefined;
  const names = (spec?.ports ?? []).map((p) => p.name);
  for (const c of spec?.template?.spec?.containers ?? []) names.push(...(c.ports ?? []).map((p) => p.name));
  return names.filter((n): n is string => n !== undefined);
}
