# A plain watch loop with the official Python client, as its README writes it: lists, then watches
# from the list's resourceVersion and prints one line per event. No guard against odd events: a
# stream line that is not an event crashes this loop, as it would crash a user's.
import json
import sys

from kubernetes import client, watch

server, namespace = sys.argv[1], sys.argv[2]
configuration = client.Configuration()
configuration.host = server
v1 = client.CoreV1Api(client.ApiClient(configuration))

listed = v1.list_namespaced_config_map(namespace)
print(json.dumps({"listed": listed.metadata.resource_version}), flush=True)
for event in watch.Watch().stream(v1.list_namespaced_config_map, namespace,
                                  resource_version=listed.metadata.resource_version, timeout_seconds=120):
    obj = event["object"]
    print(json.dumps({"type": event["type"], "name": obj.metadata.name, "data": obj.data}), flush=True)
