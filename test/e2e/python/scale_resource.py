# Scales an apphost.dev/v1 Resource through its scale subresource with Debian's python3-kubernetes
# (patch_namespaced_custom_object_scale, then get_namespaced_custom_object_scale) and prints both
# Scale objects as one JSON line. Usage: scale_resource.py KUBECONFIG NAMESPACE NAME REPLICAS
import json
import sys

from kubernetes import client, config

kubeconfig, namespace, name, replicas = sys.argv[1:5]
config.load_kube_config(config_file=kubeconfig)
api = client.CustomObjectsApi()
patched = api.patch_namespaced_custom_object_scale('apphost.dev', 'v1', namespace, 'resources', name, {'spec': {'replicas': int(replicas)}})
read = api.get_namespaced_custom_object_scale('apphost.dev', 'v1', namespace, 'resources', name)
print(json.dumps({'patched': patched, 'read': read}), flush=True)
