# Streams watch events of apphost.dev/v1 resources through Debian's python3-kubernetes, one JSON line
# per event on stdout ({"type": ..., "name": ..., "replicas": ...}), until the watched object is
# DELETED or the timeout passes. Usage: watch_resources.py KUBECONFIG NAMESPACE NAME
import json
import sys

from kubernetes import client, config, watch

kubeconfig, namespace, name = sys.argv[1:4]
config.load_kube_config(config_file=kubeconfig)
api = client.CustomObjectsApi()
w = watch.Watch()
# The client sends watch=True (a Python bool, as the generated client does).
for event in w.stream(api.list_namespaced_custom_object, 'apphost.dev', 'v1', namespace, 'resources', timeout_seconds=20):
    obj = event['object']
    line = {'type': event['type'], 'name': obj['metadata']['name'], 'replicas': obj.get('spec', {}).get('replicas')}
    print(json.dumps(line), flush=True)
    if event['type'] == 'DELETED' and obj['metadata']['name'] == name:
        w.stop()
