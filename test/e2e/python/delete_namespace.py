# Deletes a namespace through Debian's python3-kubernetes (CoreV1Api) and reports, one JSON line
# each on stdout: the namespace right after the delete call, the answer to creating a Resource in it
# meanwhile, then every watch event of the namespace until DELETED.
# Usage: delete_namespace.py KUBECONFIG NAMESPACE
import json
import sys

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

kubeconfig, namespace = sys.argv[1:3]
config.load_kube_config(config_file=kubeconfig)
core = client.CoreV1Api()
custom = client.CustomObjectsApi()

before = core.read_namespace(namespace)
print(json.dumps({'step': 'before', 'phase': before.status.phase, 'finalizers': before.spec.finalizers}), flush=True)
rv = before.metadata.resource_version

core.delete_namespace(namespace)
after = core.read_namespace(namespace)
print(json.dumps({'step': 'deleted', 'phase': after.status.phase, 'finalizers': after.spec.finalizers,
                  'deletionTimestamp': after.metadata.deletion_timestamp is not None}), flush=True)

body = {'apiVersion': 'apphost.dev/v1', 'kind': 'Resource', 'metadata': {'name': 'late'},
        'spec': {'executable': {'command': 'node', 'args': ['x.js']}}}
try:
    custom.create_namespaced_custom_object('apphost.dev', 'v1', namespace, 'resources', body)
    print(json.dumps({'step': 'create', 'status': 201}), flush=True)
except ApiException as e:
    status = json.loads(e.body)
    print(json.dumps({'step': 'create', 'status': e.status, 'reason': status.get('reason'), 'message': status.get('message'),
                      'causes': status.get('details', {}).get('causes')}), flush=True)

w = watch.Watch()
for event in w.stream(core.list_namespace, field_selector='metadata.name=' + namespace, resource_version=rv, timeout_seconds=60):
    ns = event['object']
    print(json.dumps({'step': 'watch', 'type': event['type'], 'phase': ns.status.phase if ns.status else None}), flush=True)
    if event['type'] == 'DELETED':
        w.stop()
