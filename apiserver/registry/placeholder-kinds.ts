// The kinds of kubectl's default `apply --prune` allowlist (kubectl pkg/util/prune/prune.go) that
// apphost does not run. kubectl maps each of them through discovery and lists it before it prunes,
// and fails on the first it cannot map; so they are served as always-empty, read-only lists. Core
// Endpoints is advertised under the resource name `coreendpoints`: a kind maps by its Kind, and the
// plural `endpoints` stays apphost's own Endpoint (`kubectl get endpoints`, `ep`).
import type { KindInfo } from '../../src/api/registry.ts';

const WORKLOAD = 'describe the process or container as an apphost.dev/v1 Resource (spec.executable or spec.container, spec.replicas)';
const SERVICE = "list the Resource's spec.endpoints: apphost allocates the ports, puts a proxy in front and keeps an apphost.dev/v1 Endpoint";
const CONFIG = "set the Resource's spec.env, or spec.parameters for secrets (.apphost/secrets.json)";
const STORAGE = "mount host folders or named volumes with the Resource's spec.container.volumes";

interface Placeholder {
  group: string;
  kind: string;
  plural: string;
  shortNames?: string[];
  namespaced?: boolean;
  instead: string;
}

const PLACEHOLDERS: Placeholder[] = [
  { group: '', kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'], instead: CONFIG },
  { group: '', kind: 'Endpoints', plural: 'coreendpoints', instead: SERVICE },
  { group: '', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', shortNames: ['pvc'], instead: STORAGE },
  { group: '', kind: 'PersistentVolume', plural: 'persistentvolumes', shortNames: ['pv'], namespaced: false, instead: STORAGE },
  { group: '', kind: 'Pod', plural: 'pods', shortNames: ['po'], instead: WORKLOAD },
  { group: '', kind: 'ReplicationController', plural: 'replicationcontrollers', shortNames: ['rc'], instead: WORKLOAD },
  { group: '', kind: 'Secret', plural: 'secrets', instead: CONFIG },
  { group: '', kind: 'Service', plural: 'services', shortNames: ['svc'], instead: SERVICE },
  { group: 'batch', kind: 'Job', plural: 'jobs', instead: `${WORKLOAD} with restartPolicy: Never` },
  { group: 'batch', kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], instead: `${WORKLOAD} with restartPolicy: Never` },
  { group: 'networking.k8s.io', kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], instead: SERVICE },
  { group: 'apps', kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], instead: WORKLOAD },
  { group: 'apps', kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], instead: WORKLOAD },
  { group: 'apps', kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], instead: WORKLOAD },
  { group: 'apps', kind: 'StatefulSet', plural: 'statefulsets', shortNames: ['sts'], instead: WORKLOAD },
];

/** The message a write to a placeholder kind gets. */
export function placeholderRefusal(info: KindInfo): string {
  return `apphost does not run ${info.kind} objects (${info.plural} are served, always empty, only so that kubectl apply --prune works): ${info.placeholder?.instead ?? ''}`;
}

export function placeholderKinds(): KindInfo[] {
  return PLACEHOLDERS.map((p) => {
    const info: KindInfo = {
      key: p.group === '' ? p.plural : `${p.plural}.${p.group}`,
      group: p.group,
      version: 'v1',
      kind: p.kind,
      listKind: `${p.kind}List`,
      plural: p.plural,
      singular: p.plural === 'coreendpoints' ? 'coreendpoints' : p.kind.toLowerCase(),
      shortNames: p.shortNames ?? [],
      categories: [],
      namespaced: p.namespaced ?? true,
      hasStatusSubresource: false,
      printerColumns: [],
      schema: {},
      placeholder: { instead: p.instead },
    };
    info.schema = { type: 'object', description: placeholderRefusal(info), 'x-kubernetes-preserve-unknown-fields': true };
    return info;
  });
}
